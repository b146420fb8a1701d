"""Users tasks: e-mails on the notifications queue, housekeeping on the default queue.

Each task takes ids, re-reads its rows and returns quietly when there is nothing left to do, so
running it twice is harmless."""

import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**MAIL_RETRY)
def send_invitation_email(invitation_id: int) -> str:
    from ysh.users.models import Invitation

    invitation = (
        Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_usable:
        return "skipped"
    link = f"{settings.PUBLIC_BASE_URL}/portal/invitations/{invitation.token}/"
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=_("You were invited to %(org)s on YSH") % {"org": invitation.organization},
        message=render_to_string("users/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    logger.info("invitation %s e-mailed", invitation.pk)
    return "sent"


@shared_task(**MAIL_RETRY)
def send_password_reset_email(user_id: int) -> str:
    from ysh.users.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "skipped"
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.PUBLIC_BASE_URL}/portal/password-reset/{uid}/{token}/"
    send_mail(
        subject=_("Reset your YSH password"),
        message=render_to_string(
            "users/email/password_reset.txt", {"user": user, "uid": uid, "token": token, "link": link}
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return "sent"


@shared_task
def invitations_expire() -> int:
    from ysh.users.services import invitations_expire as expire

    return expire()


@shared_task
def login_history_prune() -> int:
    from ysh.users.services import login_history_prune as prune

    return prune()
