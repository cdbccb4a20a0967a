"""What the fact store reads from the environment (and `.env`): its database, seeds and time zone.

The bot's settings (bot/state/settings.py) extend these; one object is built in main() and passed down."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class FactSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///data/factbot.db"
    factbot_seeds_dir: Path = Path("seeds")
    factbot_timezone: str = "Asia/Shanghai"  # "this year" in questions, "today" in the counters
