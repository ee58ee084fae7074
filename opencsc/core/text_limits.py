"""How long a text may be, and the words that say so, shared by the forms (opencsc/ui/govuk_forms.LongTextField)
and the services that check the same rule."""

# About 15,000 words: longer than any visit or meeting write-up, far short of a pasted document.
NOTE_MAX_CHARACTERS = 100_000


def too_long(holder: str, limit: int, length: int) -> str:
    """ "Too long: the most a note can hold is 100,000 characters (this has 5,242,880)"."""
    return f"Too long: the most {holder} can hold is {limit:,} characters (this has {length:,})"
