"""ysh.llm over real HTTP against a local OpenAI-compatible server: structured output, retries,
timeouts and typed errors."""

import pytest

from catalog.tests.openai_server import start_openai_server
from ysh.llm import (
    LLMNotConfigured,
    LLMRequestRejected,
    LLMResponseInvalid,
    LLMUnavailable,
    llm_complete,
    llm_extract_json,
    llm_is_configured,
)

SCHEMA = {
    "type": "object",
    "properties": {"power_w": {"type": ["number", "null"]}, "bifacial": {"type": ["boolean", "null"]}},
    "required": ["power_w", "bifacial"],
    "additionalProperties": False,
}


@pytest.fixture
def openai_server(settings):
    server = start_openai_server()
    settings.OPENAI_API_KEY = "sk-test-local"
    settings.OPENAI_BASE_URL = server.base_url
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.LLM_TIMEOUT_SECONDS = 5
    settings.LLM_MAX_RETRIES = 2
    yield server
    server.stop()


def extract():
    return llm_extract_json(
        instructions="Extract the specs.",
        content="Painel 550W bifacial",
        schema=SCHEMA,
        schema_name="module_specs",
    )


def test_structured_output_request_and_answer(openai_server):
    # given
    openai_server.reply_json({"power_w": 550, "bifacial": True})

    # when
    answer = extract()

    # then
    assert answer == {"power_w": 550, "bifacial": True}
    request = openai_server.received[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test-local"
    assert request.body["model"] == "gpt-4o-mini"
    assert request.body["temperature"] == 0
    assert request.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "module_specs", "schema": SCHEMA, "strict": True},
    }
    assert [m["role"] for m in request.body["messages"]] == ["system", "user"]


def test_server_errors_are_retried_then_succeed(openai_server):
    openai_server.reply(status=500, error="overloaded")
    openai_server.reply(status=429, error="slow down")
    openai_server.reply_json({"power_w": 550, "bifacial": None})
    assert extract() == {"power_w": 550, "bifacial": None}
    assert len(openai_server.received) == 3


def test_persistent_failure_raises_unavailable_after_the_retries(openai_server):
    # given nothing scripted: the server answers 500 to every request
    with pytest.raises(LLMUnavailable):
        extract()
    assert len(openai_server.received) == 3  # first try + LLM_MAX_RETRIES


def test_timeout_raises_unavailable(openai_server, settings):
    settings.LLM_TIMEOUT_SECONDS = 0.3
    settings.LLM_MAX_RETRIES = 0
    openai_server.reply_json({"power_w": 550, "bifacial": None}, delay=1.5)
    with pytest.raises(LLMUnavailable, match="timed out"):
        extract()


def test_bad_key_is_rejected_without_retrying(openai_server):
    openai_server.reply(status=401, error="Incorrect API key provided")
    with pytest.raises(LLMRequestRejected):
        extract()
    assert len(openai_server.received) == 1


@pytest.mark.parametrize(
    "reply",
    [
        {"content": "Claro! O painel tem 550 W."},
        {"content": '{"power_w": 550}'},  # a required key missing
        {"content": '["power_w", 550]'},
        {"content": '{"power_w": 5', "finish_reason": "length"},
    ],
)
def test_answers_that_are_not_the_schema_raise_invalid(openai_server, reply):
    openai_server.reply(**reply)
    with pytest.raises(LLMResponseInvalid):
        extract()


def test_refusal_is_a_rejection(openai_server):
    openai_server.reply(content=None, refusal="I can't help with that.")
    with pytest.raises(LLMRequestRejected):
        extract()


def test_plain_completion_reports_usage(openai_server):
    openai_server.reply(content="Olá! Sou o Helio.")
    reply = llm_complete(messages=[{"role": "user", "content": "Oi"}])
    assert (reply.text, reply.prompt_tokens, reply.completion_tokens) == ("Olá! Sou o Helio.", 321, 54)
    assert reply.model == "gpt-4o-mini"
    assert reply.latency_ms >= 0


def test_not_configured_without_a_key(settings):
    settings.OPENAI_API_KEY = ""
    assert llm_is_configured() is False
    with pytest.raises(LLMNotConfigured):
        extract()
