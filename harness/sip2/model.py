"""The SIP2 values the codec hands around: :class:`Message`, :class:`Decoded`, and the
harness-side errors raised when the harness itself asks for something SIP2 cannot carry.

Peer-side problems are never exceptions: they are :class:`~harness.sip2.rules.CodecFinding`
values inside a :class:`Decoded` (aesthetics §8 item 4: "the vendor broke the spec" is kept
apart from "we could not test").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from harness.errors import HarnessError, UsageError
from harness.rules import Severity
from harness.sip2.messages import MESSAGES, MessageSpec
from harness.sip2.rules import CodecFinding


class LocalProtocolError(HarnessError):
    """The harness tried to build a message SIP2 cannot carry: a harness bug, outcome ERROR."""


class LocalEncodingError(LocalProtocolError):
    """A value cannot be written in the session's character set (e.g. ŋ in cp850)."""


class UnsupportedCharset(UsageError, ValueError):
    """A profile names a character set the codec cannot use."""


@dataclass(frozen=True, slots=True)
class Message:
    """One SIP2 message. ``fixed`` follows the table's order; ``fields`` keeps order and repeats."""

    code: str
    fixed: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    sequence: int | None = None
    checksum: str | None = None

    @classmethod
    def build(
        cls,
        code: str,
        fixed: Mapping[str, str] | Sequence[str] = (),
        fields: Iterable[tuple[str, str]] | Mapping[str, str] = (),
    ) -> Message:
        """A message from fixed values by name (in any order) and fields in wire order."""
        if isinstance(fixed, Mapping):
            spec = MESSAGES.get(code)
            if spec is None:
                raise LocalProtocolError(f"unknown command {code!r}: give fixed values as a tuple")
            unknown = set(fixed) - {f.name for f in spec.fixed}
            missing = [f.name for f in spec.fixed if f.name not in fixed]
            if unknown or missing:
                raise LocalProtocolError(
                    f"{code} fixed fields: unknown {sorted(unknown)}, missing {missing}"
                )
            values = tuple(fixed[f.name] for f in spec.fixed)
        else:
            values = tuple(fixed)
        pairs = fields.items() if isinstance(fields, Mapping) else fields
        return cls(code, values, tuple((fid, value) for fid, value in pairs))

    @property
    def spec(self) -> MessageSpec | None:
        return MESSAGES.get(self.code)

    def get(self, field_id: str) -> str | None:
        for fid, value in self.fields:
            if fid == field_id:
                return value
        return None

    def get_all(self, field_id: str) -> tuple[str, ...]:
        return tuple(value for fid, value in self.fields if fid == field_id)

    def fixed_value(self, name: str) -> str:
        spec = self.spec
        if spec is None:
            raise KeyError(f"unknown command {self.code!r} has no named fixed fields")
        return self.fixed[spec.fixed.index(spec.fixed_field(name))]

    def fixed_map(self) -> dict[str, str]:
        spec = self.spec
        return {} if spec is None else {f.name: v for f, v in zip(spec.fixed, self.fixed)}


@dataclass(frozen=True, slots=True)
class Decoded:
    """What one frame said: the message (``None`` if it could not be read) and the findings."""

    message: Message | None
    findings: tuple[CodecFinding, ...]
    raw: bytes = b""

    @property
    def ok(self) -> bool:
        """No FAIL-level finding (WARN and INFO allowed)."""
        return all(f.severity is not Severity.FAIL for f in self.findings)

    def rules(self) -> list[str]:
        return [f.rule.id for f in self.findings]


# -- fast construction for the decoder ---------------------------------------------------------
# A frozen dataclass's __init__ sets each field through object.__setattr__, which is about half
# the cost of decoding a short message. The decoder builds its values through the slots'
# own descriptors instead: same objects (tests compare them with the normal constructor).
_new = object.__new__
_M_CODE, _M_FIXED, _M_FIELDS, _M_SEQUENCE, _M_CHECKSUM = (
    getattr(Message, name).__set__ for name in ("code", "fixed", "fields", "sequence", "checksum")
)
_D_MESSAGE, _D_FINDINGS, _D_RAW = (getattr(Decoded, name).__set__ for name in ("message", "findings", "raw"))


def new_message(
    code: str, fixed: tuple[str, ...], fields: tuple[tuple[str, str], ...], sequence: int | None, check: str | None
) -> Message:
    message = _new(Message)
    _M_CODE(message, code)
    _M_FIXED(message, fixed)
    _M_FIELDS(message, fields)
    _M_SEQUENCE(message, sequence)
    _M_CHECKSUM(message, check)
    return message


def new_decoded(message: Message | None, findings: tuple[CodecFinding, ...], raw: bytes) -> Decoded:
    decoded = _new(Decoded)
    _D_MESSAGE(decoded, message)
    _D_FINDINGS(decoded, findings)
    _D_RAW(decoded, raw)
    return decoded
