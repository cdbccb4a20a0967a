"""Prometheus metrics: one registry per application (tests run many in one process), and the HTTP
request class that counts every error Telegram answers with, or the lack of an answer."""

import time
from http import HTTPStatus

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from facts.answering.answer import Answer
from facts.store.service import FactService

ANSWER_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.5)


class Metrics:
    """Counters and the answer-time histogram of one bot."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.questions = Counter(
            "factbot_questions", "Questions answered or abstained from", registry=self.registry
        )
        self.abstentions = Counter(
            "factbot_abstentions", "Questions the reports had no figure for", registry=self.registry
        )
        self.answer_seconds = Histogram(
            "factbot_answer_seconds",
            "Time to find the answer to a question",
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.digests = Counter(
            "factbot_digests", "Digest deliveries by outcome", ["outcome"], registry=self.registry
        )  # sent | failed | deactivated | duplicate
        self.telegram_errors = Counter(
            "factbot_telegram_errors",
            "Bot API requests that failed, by HTTP status or timeout/pool/network when there was no answer",
            ["code"],
            registry=self.registry,
        )

        self.webhook_refused = Counter(
            "factbot_webhook_refused",
            "Webhook posts refused (403) for a missing or wrong secret",
            registry=self.registry,
        )
        self.webhook_invalid = Counter(
            "factbot_webhook_invalid",
            "Webhook posts with the right secret that were no readable update (400)",
            registry=self.registry,
        )

    def answer(self, service: FactService, question: str) -> Answer:
        """The service's answer to a user's question, counted and timed."""
        started = time.perf_counter()
        answer = service.answer(question)
        self.answer_seconds.observe(time.perf_counter() - started)
        self.questions.inc()
        if not answer.answered:
            self.abstentions.inc()
        return answer

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_PLAIN_0_0_4  # what every Prometheus reads


class CountingRequest(HTTPXRequest):
    """PTB's HTTP client, counting responses with status >= 400 and requests that got no response."""

    __slots__ = ("_metrics",)

    def __init__(self, metrics: Metrics, **kwargs) -> None:
        super().__init__(**kwargs)
        self._metrics = metrics

    async def do_request(self, *args, **kwargs) -> tuple[int, bytes]:
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except TimedOut as err:  # a full pool means nothing was sent: our problem, not Telegram's
            self._count("pool" if isinstance(err.__cause__, httpx.PoolTimeout) else "timeout")
            raise
        except NetworkError:
            self._count("network")
            raise
        if code >= HTTPStatus.BAD_REQUEST:
            self._count(str(code))
        return code, payload

    def _count(self, code: str) -> None:
        self._metrics.telegram_errors.labels(code).inc()
