"""Request bodies. Every field is validated: lengths, ranges, no NUL bytes or lone surrogates
(PostgreSQL and UTF-8 reject them), bounded integers, finite floats. Paths are plain data."""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

MAX_INT = 2**62
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")


def clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - reads as a type in annotations
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                     AfterValidator(clean_text)]


def check_json(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """Free-form JSON (rule definitions, summaries): bounded depth, size, numbers and clean text."""
    budget = budget if budget is not None else [20000]
    budget[0] -= 1
    if budget[0] < 0 or depth > 16:
        raise ValueError("is too large or too deeply nested")
    if isinstance(value, str):
        clean_text(value)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if abs(value) > MAX_INT:
            raise ValueError("holds a number out of range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("holds a number that is not finite")
    elif isinstance(value, list):
        for item in value:
            check_json(item, depth + 1, budget)
    elif isinstance(value, dict):
        for key, item in value.items():
            clean_text(key)
            check_json(item, depth + 1, budget)
    return value


def check_email(value: str) -> str:
    value = value.strip().lower()
    if not EMAIL_RE.match(value):
        raise ValueError("is not an email address")
    return value


def check_timestamp(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("is out of range") from None
    if not 1970 <= value.year <= 9999:
        raise ValueError("is out of range")
    return value


Count = Annotated[int, Field(ge=0, le=MAX_INT)]
Name = Text(200, 1)
JSONObject = Annotated[dict[Text(200), Any], AfterValidator(check_json), Field(max_length=1000)]
Timestamp = Annotated[datetime, AfterValidator(check_timestamp)]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(clean_text),
                  AfterValidator(check_email)]
Status = Literal["pending", "processing", "completed", "failed", "cancelled"]
Cell = Text(2000) | Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)] | Annotated[
    float, Field(allow_inf_nan=False)] | bool | None


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Credentials(Body):
    email: Email
    password: Text(256, 8)


class PasswordChange(Body):
    current_password: Text(256, 1)
    new_password: Text(256, 8)


class PasswordConfirm(Body):
    password: Text(256, 1)


class RefreshIn(Body):
    refresh_token: Text(4096, 1)


class DeviceIn(Body):
    id: uuid.UUID | None = Field(None, description="Client-chosen id: repeating a create answers "
                                                   "the existing device")
    name: Name
    platform: Text(50) = ""


class RuleFields(Body):
    name: Name
    enabled: bool = True
    priority: Annotated[int, Field(ge=-1_000_000, le=1_000_000)] = 0
    definition: JSONObject = Field(default_factory=dict,
                                   description="The rule as the desktop app defines it (opaque here)")


class RuleIn(RuleFields):
    id: uuid.UUID | None = None


class RuleUpdate(RuleFields):
    version: Annotated[int, Field(ge=1, le=MAX_INT)] | None = Field(
        None, description="The version the client last saw; a different current version is a 409")


Extension = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^\.?[^\s/\\\x00]+$")]


class CategoryFields(Body):
    name: Text(100, 1)
    extensions: list[Extension] = Field(default_factory=list, max_length=500)
    color: Annotated[str, StringConstraints(max_length=20, pattern=r"^(#[0-9a-fA-F]{3,8})?$")] = ""


class CategoryIn(CategoryFields):
    id: uuid.UUID | None = None


class CategoryUpdate(CategoryFields):
    version: Annotated[int, Field(ge=1, le=MAX_INT)] | None = None


class Totals(Body):
    files: Count = 0
    bytes: Count = 0


class ScanIn(Body):
    id: uuid.UUID | None = None
    device_id: uuid.UUID
    roots: list[Text(4096, 1)] = Field(default_factory=list, max_length=100)
    total_files: Count = 0
    total_bytes: Count = 0
    by_category: dict[Text(100, 1), Totals] = Field(default_factory=dict, max_length=1000)
    by_extension: dict[Text(50, 1), Totals] = Field(default_factory=dict, max_length=5000)
    by_age: dict[Text(50, 1), Totals] = Field(default_factory=dict, max_length=100)


class FileIn(Body):
    path: Text(4096, 1)
    size: Count = 0
    category: Text(100) = ""
    hash: Annotated[str, StringConstraints(max_length=128, pattern=r"^[0-9a-fA-F]*$")] = ""
    mtime: Timestamp | None = None


class FilesIn(Body):
    files: list[FileIn] = Field(max_length=5000)


class DuplicateGroupIn(Body):
    hash: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[0-9a-fA-F]+$")]
    size: Count
    paths: list[Text(4096, 1)] = Field(min_length=2, max_length=1000)


class DuplicatesIn(Body):
    groups: list[DuplicateGroupIn] = Field(max_length=5000)


class OperationIn(Body):
    id: uuid.UUID | None = Field(None, description="Client-generated id: a retried push answers the "
                                                   "existing operation")
    device_id: uuid.UUID | None = None
    kind: Text(50, 1)
    status: Status = "pending"
    progress: Annotated[int, Field(ge=0, le=100)] = 0
    message: Text(500) = ""
    summary: JSONObject = Field(default_factory=dict)


class OperationUpdate(Body):
    status: Status | None = None
    progress: Annotated[int, Field(ge=0, le=100)] | None = None
    message: Text(500) | None = None
    summary: JSONObject | None = None


class ReportTable(Body):
    name: Text(100, 1)
    columns: list[Text(100)] = Field(max_length=50)
    rows: list[Annotated[list[Cell], Field(max_length=50)]] = Field(default_factory=list,
                                                                    max_length=10000)


class ReportIn(Body):
    id: uuid.UUID | None = None
    device_id: uuid.UUID | None = None
    title: Text(200, 1)
    summary: dict[Text(100, 1), Cell] = Field(default_factory=dict, max_length=200)
    tables: list[ReportTable] = Field(default_factory=list, max_length=20)
