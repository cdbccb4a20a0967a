"""Metrics in Prometheus text: questions, abstentions, answer times, digests, and Telegram errors counted
by the HTTP client itself against a real local server."""

import asyncio
import socket

import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from telegram.error import NetworkError, TimedOut

from bot.metrics import CountingRequest, Metrics

TRAINS_2022 = "2022年江津班列开了多少列？"
NOWHERE = "江津区火星基地数量"


def samples(metrics: Metrics) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value, parsed back from the exposition text."""
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain; version=0.0.4")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_a_fresh_registry_renders_zeroes_and_nothing_else():
    values = samples(Metrics())
    assert values[("factbot_questions_total", ())] == 0
    assert values[("factbot_abstentions_total", ())] == 0
    assert values[("factbot_answer_seconds_count", ())] == 0
    assert not any(name.startswith(("python_", "process_")) for name, _ in values)  # own registry only


def test_answers_are_counted_and_timed(service):
    metrics = Metrics()
    assert metrics.answer(service, TRAINS_2022).answered
    assert not metrics.answer(service, NOWHERE).answered
    values = samples(metrics)
    assert values[("factbot_questions_total", ())] == 2
    assert values[("factbot_abstentions_total", ())] == 1
    assert values[("factbot_answer_seconds_count", ())] == 2
    assert 0 < values[("factbot_answer_seconds_sum", ())] < 2
    buckets = sorted(
        (float(dict(labels)["le"]), value)
        for (name, labels), value in values.items()
        if name == "factbot_answer_seconds_bucket"
    )
    assert {0.001, 0.01, 0.1, 0.2} <= {le for le, _ in buckets}  # fine steps over the 1-200 ms answers take
    assert buckets[-1] == (float("inf"), 2)


def test_registries_are_separate():
    one, two = Metrics(), Metrics()
    one.questions.inc()
    assert samples(one)[("factbot_questions_total", ())] == 1
    assert samples(two)[("factbot_questions_total", ())] == 0


def test_digest_outcomes_are_labelled():
    metrics = Metrics()
    for outcome in ("sent", "sent", "failed", "deactivated", "duplicate"):
        metrics.digests.labels(outcome).inc()
    values = samples(metrics)
    assert {
        dict(labels)["outcome"]: value
        for (name, labels), value in values.items()
        if name == "factbot_digests_total"
    } == {"sent": 2, "failed": 1, "deactivated": 1, "duplicate": 1}


@pytest.mark.asyncio
async def test_telegram_errors_are_counted_by_status_and_by_missing_answer():
    async def status(request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        return web.json_response({"ok": code == 200, "result": True}, status=code)

    answer = asyncio.Event()  # never set before the client gave up: a server that does not answer

    async def slow(_request: web.Request) -> web.Response:
        await answer.wait()
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/status/{code}", status)
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    with socket.socket() as sock:  # a port nobody listens on: the connection is refused
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    metrics = Metrics()
    request = CountingRequest(metrics, connection_pool_size=4, read_timeout=0.3)
    await request.initialize()
    try:
        for code in (200, 400, 403, 429, 429, 500, 502):
            got, _ = await request.do_request(f"{base}/status/{code}", "POST")
            assert got == code
        with pytest.raises(TimedOut):
            await request.do_request(f"{base}/slow", "POST")
        with pytest.raises(NetworkError):
            await request.do_request(f"http://127.0.0.1:{closed}/x", "POST")
    finally:
        answer.set()
        await request.shutdown()
        await runner.cleanup()
    counted = {
        dict(labels)["code"]: value
        for (name, labels), value in samples(metrics).items()
        if name == "factbot_telegram_errors_total"
    }
    assert counted == {"400": 1, "403": 1, "429": 2, "500": 1, "502": 1, "timeout": 1, "network": 1}
