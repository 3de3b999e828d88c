"""Event trigger rules: which words make a sentence an event of which type.

The built-in rules ship in ``event_rules.toml``; a user's own ``event_rules.toml`` in the
data directory is read first, so its rules win.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from geo import config
from geo.errors import RulesError


@dataclass(frozen=True)
class Rule:
    event_type: str
    sub_event_type: str
    pattern: re.Pattern
    own: bool = False  # from the user's own rules file: its type is the user's word, kept as is


def load_rules(extra: Path | None = None) -> list[Rule]:
    """The trigger rules: the user's own file first (if any), then the built-in ones."""
    files = []
    user_file = extra or (config.data_dir() / "event_rules.toml")
    if user_file.is_file():
        files.append(user_file)
    files.append(config.event_rules_file())
    rules = []
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise RulesError(f"Cannot read the event rules in {path}: {err}.") from err
        for number, rule in enumerate(data.get("rule", []), 1):
            try:
                triggers = "|".join(f"(?:{t})" for t in rule["triggers"])
                pattern = re.compile(rf"\b(?:{triggers})\b", re.I)
                rules.append(
                    Rule(
                        rule["event_type"], rule["sub_event_type"], pattern, path != config.event_rules_file()
                    )
                )
            except (KeyError, TypeError, re.error) as err:
                raise RulesError(
                    f"{path}: rule {number} needs event_type, sub_event_type and a list of "
                    f"triggers (regular expressions): {err}."
                ) from err
    return rules
