"""The visible signature stamp: Chinese text in Noto Sans CJK beside a QR code of the verification URL.

pyHanko's font engine reads one OpenType font, but Debian ships Noto CJK as a collection (.ttc)
of 20 MB. Each stamp therefore embeds a HarfBuzz subset of the collection's Simplified Chinese face
holding exactly the characters of its text (about 10 kB, made in milliseconds).
"""
from __future__ import annotations

import os
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import uharfbuzz as hb
from fontTools.ttLib import TTCollection
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import QRStampStyle

FONT_ENV = "YIKATONG_STAMP_FONT"  # an OpenType font or collection with Simplified Chinese glyphs
DEFAULT_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # Debian fonts-noto-cjk
FAMILY = "Noto Sans CJK SC"
STAMP_TEXT = "太仓市人社局 一卡通系统 电子校验章\n签发时间：%(issued)s\n文件编号：%(document)s\n扫码或上传文件即可校验真伪"
FONT_SIZE = 7
# The stamp's box in PDF points (x1, y1, x2, y2) on the last page: inside the 36 mm bottom margin
# of documents/templates/base.html, right-aligned with its 20 mm side margin (A4 is 595 × 842 pt).
BOX = (313, 18, 538, 92)


class StampFontError(RuntimeError):
    """The stamp's CJK font is missing or has no Simplified Chinese face."""


@lru_cache(maxsize=4)
def _font_face(path: str) -> tuple[bytes, int]:
    """Return the font file's bytes and the index of its Simplified Chinese face."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StampFontError(f"stamp font {path} cannot be read ({exc.strerror}); install fonts-noto-cjk "
                             f"or set {FONT_ENV}") from exc
    if not data.startswith(b"ttcf"):
        return data, 0
    for index, face in enumerate(TTCollection(BytesIO(data), lazy=True).fonts):
        if face["name"].getDebugName(1) == FAMILY:
            return data, index
    raise StampFontError(f"stamp font {path} has no {FAMILY} face")


def subset_font(text: str) -> bytes:
    """Return an OpenType font holding the glyphs of *text* only."""
    data, index = _font_face(os.environ.get(FONT_ENV) or str(DEFAULT_FONT))
    wanted = hb.SubsetInput()
    wanted.sets(hb.SubsetInputSets.UNICODE).update(ord(char) for char in set(text) - {"\n"})
    subset = hb.subset(hb.Face(hb.Blob(data), index), wanted)
    if subset is None:
        raise StampFontError("the stamp font could not be subset")
    return subset.blob.data


class _SubsetFontFactory(FontEngineFactory):
    """pyHanko font engine factory over font bytes held in memory."""

    def __init__(self, font: bytes, size: int) -> None:
        self.font, self.size = font, size

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: object = None) -> GlyphAccumulator:
        return GlyphAccumulator(writer=writer, font_handle=BytesIO(self.font), font_size=self.size,
                                obj_stream=obj_stream)


def stamp_style(text_params: dict[str, str]) -> QRStampStyle:
    """Return the stamp style for these text parameters (its font holds exactly their glyphs)."""
    text = STAMP_TEXT % text_params
    style = TextBoxStyle(font=_SubsetFontFactory(subset_font(text), FONT_SIZE), leading=FONT_SIZE + 3)
    return QRStampStyle(stamp_text=STAMP_TEXT, text_box_style=style, border_width=1, innsep=4, qr_inner_size=64)
