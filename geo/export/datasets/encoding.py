"""The encoding of a file of unknown origin: a BOM, else UTF-8, else the likeliest code page."""

from __future__ import annotations

import codecs

import charset_normalizer


def detect_encoding(binary) -> str:
    """The file's encoding: a BOM says, else UTF-8 if every byte decodes, else the code page
    charset-normalizer finds (Windows code pages first), else Windows-1252."""
    start = binary.read(4)
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if start.startswith(bom):
            return name
    binary.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        while chunk := binary.read(1 << 20):
            decoder.decode(chunk)
            offset += len(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError as err:
        bad_at = offset + err.start
    binary.seek(0)
    sample = binary.read(1 << 16)
    if bad_at > len(sample):
        binary.seek(max(0, bad_at - (1 << 14)))
        sample += b"\n" + binary.read(1 << 15)
    return _code_page(sample)


_PREFERRED = ("cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1256", "cp1255", "cp1257", "cp1258",
              "shift_jis", "gb18030", "big5", "euc_kr", "koi8_r", "iso8859_15", "latin_1")  # fmt: skip


def _code_page(sample: bytes) -> str:
    """charset-normalizer's least chaotic decodings, the common Windows code pages first
    (on a short sample it may otherwise name mac_iceland for a Windows-1252 file)."""
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return "cp1252"
    least = min(m.chaos for m in matches)
    candidates = {
        name for m in matches if m.chaos <= least for name in [m.encoding, *m.could_be_from_charset]
    }
    return next((name for name in _PREFERRED if name in candidates), matches[0].encoding)
