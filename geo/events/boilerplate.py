"""Text around the news that is not news: promotions, prompts, captions, share lines.

A web page saved as plain text keeps the publisher's appeals ("Your donation allows us
to keep sending journalists..."), newsletter and notification prompts, "Read more"
links, share lines and photo captions. None of it reports an event, and an appeal that
mentions "investigating the financials of..." must not become one. ``boilerplate_spans``
finds such lines so the extractor skips them; the text itself is kept as it was.
"""

from __future__ import annotations

import re

# The publisher speaking to its reader, or the page's furniture.
CUES = re.compile(
    r"\b(?:your (?:support|donation|contribution|inbox|email|subscription)|"
    r"our (?:journalism|reporting|journalists|newsletters?|documentar(?:y|ies)|latest|newsroom|readers)|"
    r"subscribe|subscription|newsletters?|sign up|signing up|log in|donat(?:e|ion|ions|ing)|paywall|"
    r"read more|read next|click here|share (?:this|on)|follow us|all rights reserved|copyright|"
    r"notifications|cookies?|advertisement|sponsored|become a (?:member|subscriber|supporter)|"
    r"support (?:us|our|independent|quality)|terms of (?:use|service)|privacy policy)\b|©",
    re.I,
)
# Photo credits that end a caption: "(AP)", "(Getty Images)", "Photo: Reuters".
CAPTION = re.compile(
    r"\((?:AP|AFP|Reuters|Getty(?: Images)?|EPA|PA|Shutterstock|Photo[^)]*|Image[^)]*|[A-Z][\w ./]{0,40}"
    r"/(?:AP|AFP|Reuters|Getty Images|EPA))\)\s*$|^\s*(?:Photo|Image|Picture|Photograph)\s*(?:credit)?\s*:",
    re.I,
)
MAX_CUE_LINE = 600  # longer paragraphs are articles' own text, even if they mention a newsletter


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line that is boilerplate: a publisher's appeal or prompt, a
    share or "read more" line, a photo caption, and a caption's first copy (pages often
    print the caption twice, once with its credit)."""
    spans: list[tuple[int, int]] = []
    lines = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\n]+", text)]
    for k, (start, end, line) in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        nxt = lines[k + 1][2].strip() if k + 1 < len(lines) else ""
        promotional = len(stripped) <= MAX_CUE_LINE and CUES.search(stripped) is not None
        caption = CAPTION.search(stripped) is not None
        caption_copy = (
            bool(nxt) and nxt != stripped and nxt.startswith(stripped) and CAPTION.search(nxt) is not None
        )
        if promotional or caption or caption_copy:
            spans.append((start, end))
    return spans
