"""Unicode clean-up and removal of web boilerplate, by general rules.

Text keeps its accents and typographic apostrophes for display; only the
analyzer folds them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .document import HEADING, Block
from ..vocab.vocabulary import boilerplate_patterns, fold

# Unicode spaces but the line break and the plain space (U+1680 and U+2028/9 included): each one is a plain
# space, and a run of plain spaces one (two passes: one pattern for both tried its alternatives at every character,
# 4 times as long)
ODD_SPACE = re.compile(r"[^\S \n]")
SPACE_RUN = re.compile(" {2,}")
DROPPED = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # invisible, control
HAS_WORD = re.compile(r"[^\W\d_]", re.UNICODE)
WIDGET_WORDS = frozenset("a aa aaa a+ a- a+a- plus moins + - texte police taille".split())
GLUED_CRUMB = re.compile(r"^(Accueil|Home)\s*(?:[>»›/|]|(?=[A-ZÀ-Ý]))")
ENDS_WITH_NUMBER = re.compile(r"^(.*\D)\s+\d+$")
TRAILING_LINKS_MAX = 80
CONSENT_LINE_MAX_CHARS = 400  # a line this long at most may be a consent banner's sentence
# a cookie or consent banner's sentence, and the row of its buttons (folded text)
CONSENT_TEXT = re.compile(r"\b(?:cookies?|traceurs?)\b.*\b(?:accept|refus|personnalis|parametr|consent|navigation)"
                          r"|\b(?:accept|refus|consent)\w*\b.*\b(?:cookies?|traceurs?)\b")
CONSENT_BUTTONS = frozenset("tout accepter refuser personnaliser parametrer valider mes choix j'accepte continuer sans "
                            "ok fermer gerer preferences".split())
# a row of sharing buttons ("Partager sur Facebook Partager sur X Imprimer Envoyer par courriel"): its words,
# one of which names the action or the network ("Par courriel" over an address is content)
SHARE_ACTIONS = frozenset("partager partagez imprimer envoyer copier facebook twitter linkedin whatsapp bluesky "
                          "mastodon instagram youtube".split())
SHARE_BUTTONS = SHARE_ACTIONS | frozenset("sur par x courriel email e-mail mail le lien cette page".split())
# a heading's number printed on a line of its own: "1.", "2.3", "IV.", "Axe 2 –", "Fiche action n°3 –"
HEADING_NUMBER = re.compile(r"^(?:\d{1,2}\.(?:\d{1,2}\.?)*|[IVXL]{1,5}\.|(?:axe|partie|chapitre|titre|objectif|mission"
                            r"|fiche(?: action)?|action)\s*(?:n\s*°\s*)?[\dIVX]{1,3}\s*[.:–—-]?)$", re.I)
# an e-mail newsletter's notices, above and below its content (folded text)
MAIL_NOTICE = re.compile(r"^(?:si (?:ce|cet) (?:message|courriel|e-?mail|mail) ne s'affiche pas"
                         r"|vous recevez (?:ce|cet|cette) (?:message|courriel|e-?mail|mail|lettre))\b")
LINK_SEPARATOR = re.compile(r"\s[|•·]\s")  # "Mentions légales | Plan du site"
FIGURES_ROW = re.compile(r"[^|]+(?: \| [^|]+)+")  # a table's row as the readers write it: "a | b | c"
FIGURE = re.compile(r"\d")
# a table of contents' line: a heading, dot leaders, its page ("2. Priorités ........ 3"), looked for in
# the line's last TOC_TAIL characters (a search over a whole line of dots would be quadratic)
TOC_LINE = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}$|(?:…\s?){2,}\s*\d{1,4}$|_{4,}\s*\d{1,4}$")
TOC_TAIL = 40
RELATED_LINKS = re.compile(r"^(aller plus loin|a lire aussi|voir aussi|sur le meme sujet|dans la meme rubrique"
                           r"|articles? (lies|similaires)|ressources liees)$")


# what UTF-8 read as Windows-1252 or Latin-1 leaves: « Ã© » for « é », « â€™ » for « ’ », « Â » before a
# no-break space, « Å“ » for « œ » — looked for first, ftfy's repair being slow (half a microsecond a character)
MOJIBAKE = re.compile("[ÂÃÅâ][\x80-\xbf\u0152-\u0192\u02c6-\u02dc\u2013-\u2122]")


def repaired(text: str) -> str:
    """Text read with the wrong encoding repaired by ftfy; typographic quotes and apostrophes, and
    HTML entities, stay as written.

    >>> repaired("La stratÃ©gie rÃ©gionale de santÃ© : lâ€™accÃ¨s aux soins")
    'La stratégie régionale de santé : l’accès aux soins'
    >>> repaired("« L’été » — &amp; c’est tout")
    '« L’été » — &amp; c’est tout'
    """
    if not MOJIBAKE.search(text):
        return text
    import ftfy

    return ftfy.fix_text(text, uncurl_quotes=False, unescape_html=False)


@lru_cache(maxsize=1)
def _ui_labels() -> re.Pattern:
    return re.compile("^(?:" + "|".join(f"(?:{p})" for p in boilerplate_patterns()) + r")$")


def clean_text(text: str) -> str:
    """NFC, no control or invisible characters, single spaces, no trailing blanks.

    >>> clean_text("Sant\\u0065\\u0301\\u00a0 publique\\u00ad\\r\\n")
    'Santé publique'
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = ODD_SPACE.sub(" ", DROPPED.sub("", text))
    if "  " in text:
        text = SPACE_RUN.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _label_key(line: str) -> str:
    return " ".join(re.sub(r"[^\w' +-]", " ", fold(line)).split()).strip(" .")


@lru_cache(maxsize=4096)  # menus and footers repeat from page to page
def is_boilerplate(line: str) -> bool:
    """A short line that is web interface, not content.

    >>> [is_boilerplate(s) for s in ["RETOUR HAUT DE PAGE", "AA", "plus moins", "Le CLS est conclu.",
    ...                              "Ce site utilise des cookies. Vous pouvez les refuser.", "Tout accepter Personnaliser"]]
    [True, True, True, False, True, True]
    >>> [is_boilerplate(s) for s in ["Partager sur Facebook Partager sur X Partager sur LinkedIn Imprimer Envoyer par courriel",
    ...                              "Partager les données du CLS sur la plateforme régionale"]]
    [True, False]
    >>> [is_boilerplate(s) for s in ["2022 | 42 | 87,5 %", "Mars | 330 | 322", "© 2024 | Mentions légales | Plan du site"]]
    [False, False, True]
    """
    if " | " in line and FIGURES_ROW.fullmatch(line) and _figures(line):
        return False  # a table's row of figures ("Janvier | 312 | 298"), not a row of links
    if not HAS_WORD.search(line):
        return not HEADING_NUMBER.match(line)  # bullets, dashes, page or slide numbers; "2.3" is a heading's
    if len(line) > CONSENT_LINE_MAX_CHARS:
        return False
    # each pattern is tried only where what it needs is there: the page number a line of a table of contents
    # ends with, a cookie or tracker named, a separator between links (a legal paragraph, read by all three
    # patterns, took 8 µs more)
    if line[-1].isdigit() and TOC_LINE.search(line[-TOC_TAIL:]):
        return True
    key = _label_key(line)
    if ("cookie" in key or "traceur" in key) and CONSENT_TEXT.search(key) or MAIL_NOTICE.match(key):
        return True
    parts = LINK_SEPARATOR.split(line) if "|" in line or "•" in line or "·" in line else [line]
    if len(parts) > 1 and all(is_boilerplate(part) for part in parts if part.strip()):
        return True  # a row of links
    words = key.split()
    if any(all(w in buttons for w in words) for buttons in (WIDGET_WORDS, CONSENT_BUTTONS)) \
            or (all(w in SHARE_BUTTONS for w in words) and SHARE_ACTIONS.intersection(words)):
        return True  # a row of buttons, however long
    if len(line) > TRAILING_LINKS_MAX:
        return False
    return bool(GLUED_CRUMB.match(line) or _ui_labels().match(key) or RELATED_LINKS.match(key))


def _figures(row: str) -> bool:
    """Whether at least half the cells of a table's row are figures."""
    cells = row.split(" | ")
    return 2 * sum(bool(FIGURE.search(cell)) for cell in cells) >= len(cells)


def _repeated_counters(blocks: list[Block]) -> set[str]:
    """Short lines like 'ARS Uncategorized 69', whose shape recurs with another number."""
    shapes: dict[str, int] = {}
    for b in blocks:
        if (shape := _counter_shape(b.text)) and len(b.text.split()) <= 6:
            shapes[shape] = shapes.get(shape, 0) + 1
    return {shape for shape, n in shapes.items() if n >= 2}


def _counter_shape(line: str) -> str | None:
    """What a line ending with a number says before it ("ARS Uncategorized" of "ARS Uncategorized 69"),
    else None. Its last character is looked at first: the pattern backtracks over a whole line (8 µs
    for a paragraph)."""
    m = ENDS_WITH_NUMBER.match(line) if line[-1:].isdigit() else None
    return m.group(1) if m else None


def drop_boilerplate(blocks: list[Block]) -> list[Block]:
    """Clean every block and drop navigation, widgets, counters and trailing link lists."""
    cleaned = []
    for b in blocks:
        for line in clean_text(b.text).split("\n") if b.kind != HEADING else [clean_text(b.text).replace("\n", " ")]:
            cleaned.append(Block(line, b.kind, b.level, b.page))
    counters = _repeated_counters(cleaned)
    links_follow = _only_short_lines_after(cleaned)
    kept: list[Block] = []
    for i, b in enumerate(cleaned):
        if not b.text:
            kept.append(b)  # blank lines separate paragraphs
            continue
        if counters and _counter_shape(b.text) in counters:
            continue
        if is_boilerplate(b.text):
            if RELATED_LINKS.match(_label_key(b.text)) and links_follow[i]:
                break  # "Aller plus loin" followed by a list of links: the rest is navigation
            if not (b.kind == HEADING and HAS_WORD.search(b.text)):
                continue  # a heading the document's structure marks ("Contact" over an address) is content
        kept.append(b)
    return kept


def _only_short_lines_after(blocks: list[Block]) -> list[bool]:
    """For each block, whether the blocks after it are all short lines without final
    punctuation (a list of links), and there is at least one: one pass from the end."""
    flags, only_short, seen = [False] * len(blocks), True, False
    for i in range(len(blocks) - 1, -1, -1):
        flags[i] = seen and only_short
        t = blocks[i].text
        if t:
            seen = True
            only_short = only_short and len(t) <= TRAILING_LINKS_MAX and not t.endswith((".", "!", "?", ":", ";"))
    return flags
