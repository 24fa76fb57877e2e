"""The consortium as a cooperation story casts it: libraries, patrons and items by role.

Stories never name a barcode: they ask the profile for a public and a school library, a
patron of a school, a school's copy, the bookbus's copy, so the same story runs against any
vendor's sandbox. A role the profile does not fill makes the story NOT_TESTED, saying which.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.findings import not_tested
from harness.profile import Library, Profile, TestItem, TestPatron


@dataclass(frozen=True)
class Members:
    """The consortium's libraries, patrons and items by the role a story gives them."""

    profile: Profile
    public: Library
    school: Library

    def patron(self, kind: str) -> TestPatron:
        patron = self.profile.patron_from(kind)
        if patron is None:
            not_tested(f"the profile lists no [[patron]] of a {kind} library")
        return patron

    def item(self, *, kind: str = "regular", owner_kind: str = "") -> TestItem:
        item = self.profile.item(kind=kind, owner_kind=owner_kind)
        if item is None:
            owner = f" of a {owner_kind} library" if owner_kind else ""
            not_tested(f"the profile lists no {kind} [[item]]{owner}")
        return item

    def numbers(self, named: tuple[str, ...], protocol: str) -> set[str]:
        """The member libraries a path's holdings name (by number, ISIL, the protocol's code or name)."""
        found = set()
        for text in named:
            library = self.profile.library(text) or next(
                (lib for lib in self.profile.libraries if text in (lib.code_for(protocol), lib.name)), None)
            found.add(library.number if library is not None else text)
        return found


def members_of(profile: Profile) -> Members:
    public = profile.first_library("public")
    school = profile.first_library("school")
    if public is None or school is None:
        not_tested("the profile needs a public and a school [[library]]")
    return Members(profile, public, school)
