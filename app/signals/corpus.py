"""The labelled statements a classifier learns from: criteria/signals/<corpus>/*.jsonl.

One JSON object a line: {"id", "language", "text", "flags": [...]}; "flags": [] for a clean
statement. An optional "group" (an id) ties statements written together, such as a statement and
its translation: a group falls whole into one cross-validation fold and one side of the split, so
a statement is never scored by a model that learned its twin. A share of the groups, chosen by a
hash, is never trained or tuned on: the validation split the training reports on.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from app.core.i18n import LANGUAGES, Language
from app.rubric.loader import RubricIssue


@dataclass(frozen=True)
class Statement:
    """One labelled statement."""

    id: str
    language: Language
    text: str
    flags: frozenset[str]
    group: str = ""

    @property
    def group_key(self) -> str:
        """The statement's group: its own id unless the corpus ties it to another."""
        return self.group or self.id


def is_validation(statement_id: str, share: float) -> bool:
    """Whether a statement belongs to the validation split (stable across runs and machines)."""
    digest = int(hashlib.sha256(statement_id.encode("utf-8")).hexdigest()[:8], 16)
    return digest / 0x1_0000_0000 < share


def read_corpus(
    folder: Path, known_flags: set[str], issues: list[RubricIssue]
) -> tuple[list[Statement], str]:
    """Every statement under `folder`, and a digest of the files' bytes; problems in `issues`."""
    digest = hashlib.sha256()
    statements: list[Statement] = []
    seen: set[str] = set()
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if not files:
        issues.append(RubricIssue(str(folder), "", "no labelled statements (*.jsonl) here"))
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = str(path)
            try:
                item = json.loads(line)
                ident, language, text = str(item["id"]), item["language"], item["text"]
                flags = frozenset(item.get("flags") or [])
                group = item.get("group", "")
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                issues.append(RubricIssue(where, "", f"not a labelled statement ({exc})", number))
                continue
            if language not in LANGUAGES:
                issues.append(RubricIssue(where, "language", f"must be one of {LANGUAGES}", number))
                continue
            if not isinstance(text, str) or not text.strip():
                issues.append(RubricIssue(where, "text", "must be a non-empty string", number))
                continue
            if not isinstance(group, str):
                issues.append(RubricIssue(where, "group", "must be a statement id", number))
                continue
            unknown = sorted(flags - known_flags)
            if unknown:
                valid = ", ".join(sorted(known_flags))
                issues.append(
                    RubricIssue(where, "flags", f"unknown {unknown} (valid: {valid})", number)
                )
                continue
            if ident in seen:
                issues.append(RubricIssue(where, "id", f"'{ident}' appears twice", number))
                continue
            seen.add(ident)
            statements.append(Statement(ident, language, text, flags, group))
    return statements, digest.hexdigest()
