"""The embedder: the offline MiniLM model, and OpenAI over real HTTP against a local server
that answers ``/v1/embeddings`` in OpenAI's format."""

import hashlib
import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ysh import embeddings

# --- offline ---------------------------------------------------------------------------------


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_offline_embedder_gives_normalized_384_dimension_vectors(settings):
    # given no OpenAI key
    settings.OPENAI_API_KEY = ""

    # when embedding a few product texts
    vectors = embeddings.embed_texts(
        [
            "Inversor Fronius Primo 5.0-1 5 kW monofásico",
            "Inversor Growatt MIN 5000TL-X 5 kW",
            "Cabo solar Prysmian 6 mm² preto",
        ]
    )

    # then each has 384 dimensions and unit length, and similar products are closer
    assert embeddings.embedding_dimension() == 384
    assert embeddings.embedder_info().provider == "offline"
    assert [len(v) for v in vectors] == [384, 384, 384]
    assert all(math.isclose(math.sqrt(sum(x * x for x in v)), 1.0, rel_tol=1e-4) for v in vectors)
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2])


def test_offline_embedder_batches_like_single_texts(settings):
    settings.OPENAI_API_KEY = ""
    texts = [f"Painel solar {watts} W bifacial" for watts in range(400, 700, 10)]

    batch = embeddings.embed_texts(texts)
    single = embeddings.embed_texts([texts[7]])[0]

    assert len(batch) == len(texts)
    assert cosine(batch[7], single) > 0.9999


def test_offline_query_embedding_is_remembered(settings):
    settings.OPENAI_API_KEY = ""

    first = embeddings.embed_query("microinversor hoymiles")
    again = embeddings.embed_query("  Microinversor   HOYMILES ")

    assert again is first


def test_embed_texts_rejects_a_bare_string_and_accepts_nothing(settings):
    settings.OPENAI_API_KEY = ""
    with pytest.raises(TypeError):
        embeddings.embed_texts("inversor")
    assert embeddings.embed_texts([]) == []


def test_collection_names_follow_the_embedder(settings):
    settings.OPENAI_API_KEY = ""
    offline = embeddings.collection_for("products")
    settings.OPENAI_API_KEY = "sk-test"
    online = embeddings.collection_for("products")

    assert offline == "products_minilm_l6_384"
    assert online == "products_openai_text_embedding_3_small_1536"
    assert embeddings.embedding_dimension() == 1536


# --- OpenAI over HTTP -------------------------------------------------------------------------


def fake_vector(text: str, dimension: int) -> list[float]:
    """A deterministic, NOT normalized vector, so the test sees the client normalize it."""
    seed = hashlib.sha256(text.encode()).digest()
    return [((seed[i % 32] + i) % 17 - 8) * 0.5 for i in range(dimension)]


class OpenAIEmbeddingsServer:
    """``POST /v1/embeddings`` as OpenAI answers it. ``script`` holds the statuses of the next
    responses (200 when empty); ``delay`` stalls each answer."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[int] = []
        self.delay = 0.0
        self.dimension = 1536
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
                )
                if server.delay:
                    time.sleep(server.delay)
                status = server.script.pop(0) if server.script else 200
                if status != 200:
                    payload = {
                        "error": {
                            "message": "boom" if status >= 500 else "Incorrect API key provided",
                            "type": "server_error" if status >= 500 else "invalid_request_error",
                            "param": None,
                            "code": None if status >= 500 else "invalid_api_key",
                        }
                    }
                else:
                    inputs = body["input"]
                    data = [
                        {"object": "embedding", "index": i, "embedding": fake_vector(text, server.dimension)}
                        for i, text in enumerate(inputs)
                    ]
                    data.reverse()  # the API does not promise order; the client sorts by index
                    tokens = sum(len(text.split()) for text in inputs)
                    payload = {
                        "object": "list",
                        "data": data,
                        "model": body["model"],
                        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                    }
                encoded = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def openai_server(settings):
    server = OpenAIEmbeddingsServer()
    settings.OPENAI_API_KEY = "sk-test-local"
    settings.OPENAI_BASE_URL = server.base_url
    settings.OPENAI_TIMEOUT = 3
    settings.OPENAI_MAX_RETRIES = 1
    yield server
    server.stop()


def test_openai_embeddings_are_requested_in_order_and_normalized(openai_server):
    # when embedding two texts with OpenAI configured
    vectors = embeddings.embed_texts(["Inversor Fronius Primo 5.0-1", "Painel JA Solar 550W"])

    # then one request went to /v1/embeddings with the key, the model and the inputs
    (request,) = openai_server.requests
    assert request["path"] == "/v1/embeddings"
    assert request["auth"] == "Bearer sk-test-local"
    assert request["body"]["model"] == "text-embedding-3-small"
    assert request["body"]["input"] == ["Inversor Fronius Primo 5.0-1", "Painel JA Solar 550W"]
    # and the vectors come back in input order, 1536-d and unit length
    expected = fake_vector("Inversor Fronius Primo 5.0-1", 1536)
    norm = math.sqrt(sum(x * x for x in expected))
    assert len(vectors) == 2 and len(vectors[0]) == 1536
    assert vectors[0][:3] == pytest.approx([x / norm for x in expected[:3]])
    assert math.isclose(math.sqrt(sum(x * x for x in vectors[1])), 1.0, rel_tol=1e-9)


def test_openai_large_inputs_are_sent_in_batches(openai_server):
    texts = [f"produto {i}" for i in range(embeddings.OPENAI_BATCH + 10)]

    vectors = embeddings.embed_texts(texts)

    assert len(vectors) == len(texts)
    assert [len(r["body"]["input"]) for r in openai_server.requests] == [embeddings.OPENAI_BATCH, 10]


def test_openai_server_error_is_retried(openai_server):
    openai_server.script = [500]

    vectors = embeddings.embed_texts(["bateria lítio 5 kwh"])

    assert len(vectors) == 1 and len(openai_server.requests) == 2


def test_openai_persistent_server_error_is_unavailable(openai_server):
    openai_server.script = [503, 503]

    with pytest.raises(embeddings.EmbeddingUnavailable):
        embeddings.embed_texts(["bateria lítio 5 kwh"])
    assert len(openai_server.requests) == 2  # the first try and one retry


def test_openai_bad_key_is_an_embedding_error_without_retry(openai_server):
    openai_server.script = [401]

    with pytest.raises(embeddings.EmbeddingError) as failure:
        embeddings.embed_texts(["inversor"])

    assert not isinstance(failure.value, embeddings.EmbeddingUnavailable)
    assert len(openai_server.requests) == 1


def test_openai_timeout_is_unavailable(openai_server, settings):
    settings.OPENAI_TIMEOUT = 0.3
    settings.OPENAI_MAX_RETRIES = 0
    openai_server.delay = 2

    started = time.monotonic()
    with pytest.raises(embeddings.EmbeddingUnavailable):
        embeddings.embed_texts(["inversor"])
    assert time.monotonic() - started < 2


def test_openai_wrong_dimension_is_refused(openai_server):
    openai_server.dimension = 768

    with pytest.raises(embeddings.EmbeddingError, match="768-dimension"):
        embeddings.embed_texts(["inversor"])


def test_unreachable_openai_is_unavailable(settings):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.OPENAI_MAX_RETRIES = 0

    with pytest.raises(embeddings.EmbeddingUnavailable):
        embeddings.embed_texts(["inversor"])
