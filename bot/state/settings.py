"""One settings object, read from the environment (and `.env`), built in main() and passed down: the
fact store's (database, seeds, time zone) and the bot's own (Telegram, admins, digests, webhook, metrics)."""

from pydantic import SecretStr

from facts.store.settings import FactSettings


class Settings(FactSettings):
    factbot_admin_ids: str = ""
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    factbot_max_upload_bytes: int = 5 * 1024 * 1024
    factbot_digest_grace_minutes: int = 60  # a slot missed while down is sent on start-up if this recent
    # several replicas on one database
    factbot_replica_id: str = ""  # names this process in the delivery log; default host:pid
    factbot_delivery_lease_seconds: int = (
        60  # a digest left 'sending' this long by a dead replica is taken over
    )
    factbot_sync_seconds: float = 3.0  # how often a replica looks for new facts and changed subscriptions
    factbot_messages_per_second: float = (
        29.9  # this process's share of the bot's 30 messages/s (split it among replicas)
    )
    # webhook mode (`factbot run --webhook`), health and metrics, logs
    webhook_url: str = ""  # the public HTTPS address Telegram posts updates to
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8080
    webhook_secret: SecretStr | None = None  # Telegram's secret_token; requests without it get 403
    metrics_port: int | None = None  # /healthz and /metrics on their own port (default: the webhook port)
    # where METRICS_PORT listens; unset: 127.0.0.1 when polling (nothing else needs it), WEBHOOK_LISTEN
    # in webhook mode (a load balancer's probes and Prometheus come from other hosts there)
    metrics_listen: str | None = None
    log_format: str = "text"  # text | json (one JSON object per line)

    @property
    def admin_ids(self) -> set[int]:
        return {
            int(part)
            for part in self.factbot_admin_ids.replace(";", ",").split(",")
            if part.strip().isdigit()
        }
