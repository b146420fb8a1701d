"""The LLM client: OpenAI (or any OpenAI-compatible server) through the ``openai`` package.

Configured by ``OPENAI_API_KEY`` (required to use it), ``OPENAI_BASE_URL`` (optional: a proxy or
a compatible server), ``OPENAI_MODEL`` (default ``gpt-4o-mini``), ``LLM_TIMEOUT_SECONDS`` and
``LLM_MAX_RETRIES``. Nothing else in the code knows the URL or the SDK.

Every call has a timeout and bounded retries with backoff (the SDK's own, which retries
connection errors, 408, 409, 429 and 5xx); failures surface as the typed errors below so
callers can fall back (the catalog's rule-based extraction, the assistant's canned answer).

* ``llm_extract_json`` — structured output: the model must answer a JSON object matching a
  JSON schema (``response_format={"type": "json_schema", …, "strict": true}``); the answer is
  parsed and checked against the schema's required keys before it is returned.
* ``llm_complete`` — a plain chat completion with token usage and latency, for the assistant.
"""

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_RETRIES = 2


class LLMError(Exception):
    """Base class: the LLM could not give a usable answer."""


class LLMNotConfigured(LLMError):
    """No ``OPENAI_API_KEY``: callers use their offline fallback."""


class LLMUnavailable(LLMError):
    """Timeout, connection failure, rate limit or server error, after the retries."""


class LLMRequestRejected(LLMError):
    """The API refused the request (bad key, bad request, content filter): retrying won't help."""


class LLMResponseInvalid(LLMError):
    """The answer was not the JSON object the schema asked for."""


@dataclass(frozen=True)
class LLMReply:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int
    finish_reason: str


def llm_is_configured() -> bool:
    return bool(getattr(settings, "OPENAI_API_KEY", ""))


def llm_model() -> str:
    return getattr(settings, "OPENAI_MODEL", "") or DEFAULT_MODEL


def _client():
    if not llm_is_configured():
        raise LLMNotConfigured("OPENAI_API_KEY is not set")
    from openai import OpenAI

    return OpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=getattr(settings, "OPENAI_BASE_URL", None) or None,
        timeout=float(getattr(settings, "LLM_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)),
        max_retries=int(getattr(settings, "LLM_MAX_RETRIES", DEFAULT_MAX_RETRIES)),
    )


def _create(**kwargs: Any):
    import openai

    client = _client()
    try:
        return client.chat.completions.create(**kwargs)
    except openai.APITimeoutError as exc:
        raise LLMUnavailable(f"LLM timed out: {exc}") from exc
    except openai.APIConnectionError as exc:
        raise LLMUnavailable(f"LLM unreachable: {exc}") from exc
    except openai.RateLimitError as exc:
        raise LLMUnavailable(f"LLM rate limited: {exc}") from exc
    except openai.InternalServerError as exc:
        raise LLMUnavailable(f"LLM server error: {exc}") from exc
    except openai.APIStatusError as exc:
        raise LLMRequestRejected(f"LLM refused the request ({exc.status_code}): {exc}") from exc
    except openai.APIResponseValidationError as exc:
        raise LLMResponseInvalid(f"LLM answered an unexpected payload: {exc}") from exc
    except openai.OpenAIError as exc:
        raise LLMError(str(exc)) from exc


def llm_complete(
    *,
    messages: list[dict[str, str]],
    model: str | None = None,
    temperature: float = 0.2,
    max_tokens: int = 800,
) -> LLMReply:
    started = time.monotonic()
    response = _create(
        model=model or llm_model(),
        messages=messages,
        temperature=temperature,
        max_tokens=max_tokens,
    )
    return _reply(response, started)


def llm_extract_json(
    *,
    instructions: str,
    content: str,
    schema: dict[str, Any],
    schema_name: str,
    model: str | None = None,
    max_tokens: int = 800,
) -> dict[str, Any]:
    """Ask for a JSON object matching ``schema`` (a strict JSON schema: every property listed in
    ``required``, ``additionalProperties: false``). Returns the parsed object."""
    started = time.monotonic()
    response = _create(
        model=model or llm_model(),
        messages=[
            {"role": "system", "content": instructions},
            {"role": "user", "content": content},
        ],
        temperature=0,
        max_tokens=max_tokens,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": schema_name, "schema": schema, "strict": True},
        },
    )
    reply = _reply(response, started)
    if reply.finish_reason == "length":
        raise LLMResponseInvalid("LLM answer was cut off (max tokens)")
    try:
        data = json.loads(reply.text)
    except (TypeError, ValueError) as exc:
        raise LLMResponseInvalid(f"LLM answer is not JSON: {reply.text[:200]!r}") from exc
    if not isinstance(data, dict):
        raise LLMResponseInvalid("LLM answer is not a JSON object")
    missing = [key for key in schema.get("required", []) if key not in data]
    if missing:
        raise LLMResponseInvalid(f"LLM answer lacks required keys: {', '.join(missing)}")
    logger.info(
        "llm extract %s: %s prompt + %s completion tokens in %s ms",
        schema_name,
        reply.prompt_tokens,
        reply.completion_tokens,
        reply.latency_ms,
    )
    return data


def _reply(response, started: float) -> LLMReply:
    try:
        choice = response.choices[0]
        text = choice.message.content
        refusal = getattr(choice.message, "refusal", None)
    except (AttributeError, IndexError, TypeError) as exc:
        raise LLMResponseInvalid("LLM answer has no choices") from exc
    if refusal:
        raise LLMRequestRejected(f"LLM refused: {refusal}")
    if text is None:
        raise LLMResponseInvalid("LLM answer has no content")
    usage = getattr(response, "usage", None)
    return LLMReply(
        text=text,
        model=getattr(response, "model", "") or "",
        prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        latency_ms=round((time.monotonic() - started) * 1000),
        finish_reason=choice.finish_reason or "",
    )
