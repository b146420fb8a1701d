"""Product associations ("frequently bought together"), precomputed from baskets by
``catalog.baskets.product_associations_refresh``. Rows are replaced as a whole on each run."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.products import Product


class ProductAssociation(models.Model):
    """``other`` is bought together with ``product``: one row per direction (confidence is not
    symmetric). ``support`` is the weighted share of baskets holding both, ``confidence`` the
    share of ``product``'s baskets that also hold ``other``, ``lift`` how much more often they
    meet than if they were independent (> 1: they attract), ``baskets`` how many baskets
    (unweighted) hold both — the evidence behind the figures."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="associations"
    )
    other = models.ForeignKey(
        Product, verbose_name=_("bought with"), on_delete=models.CASCADE, related_name="+"
    )
    support = models.FloatField(_("support"))
    confidence = models.FloatField(_("confidence"))
    lift = models.FloatField(_("lift"))
    baskets = models.PositiveIntegerField(_("baskets"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("product association")
        verbose_name_plural = _("product associations")
        ordering = ["product", "-confidence", "-lift", "other"]
        constraints = [
            models.UniqueConstraint(fields=["product", "other"], name="product_association_unique"),
            models.CheckConstraint(
                condition=~models.Q(product=models.F("other")), name="product_association_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} → {self.other_id} (lift {self.lift:.2f})"
