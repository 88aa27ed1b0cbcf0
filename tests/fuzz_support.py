"""Byte-level mutations of known-good bodies for the parsers' fuzz tests (hypothesis): flips, cuts, insertions of
random or nasty bytes, deletions and (optionally) changed digits, one to six of them."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


def mutated_bodies(bodies: Sequence[bytes], nasty: Sequence[bytes], *, delete_up_to: int = 40,
                   digits: bool = False) -> st.SearchStrategy[bytes]:
    """One of ``bodies`` with 1 to 6 mutations; ``delete_up_to``: the longest deletion; ``digits``: also replace a
    digit with another digit, '-' or '.' (numbers that parse but mean something else)."""
    ops = ["flip", "cut", "insert", "nasty", "delete", *(["digit"] if digits else [])]

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        body = bytearray(draw(st.sampled_from(bodies)))
        for _ in range(draw(st.integers(1, 6))):
            op = draw(st.sampled_from(ops))
            pos = draw(st.integers(0, max(0, len(body) - 1)))
            if op == "flip" and body:
                body[pos] = draw(st.integers(0, 255))
            elif op == "cut":
                body = body[:pos]
            elif op == "insert":
                body[pos:pos] = draw(st.binary(min_size=1, max_size=16))
            elif op == "nasty":
                body[pos:pos] = draw(st.sampled_from(nasty))
            elif op == "delete" and body:
                end = draw(st.integers(pos, min(len(body), pos + delete_up_to)))
                del body[pos:end]
            elif op == "digit" and body:
                places = [i for i, c in enumerate(body) if 48 <= c <= 57]
                if places:
                    body[draw(st.sampled_from(places))] = draw(st.sampled_from(b"0123456789-."))
        return bytes(body)

    return mutated()
