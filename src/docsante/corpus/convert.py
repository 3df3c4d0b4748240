"""Office files of the old formats (Word 97-2003 .doc, .rtf, PowerPoint 97-2003 .ppt), converted
by LibreOffice (headless `soffice`) when it is installed to DOCX or PPTX, then read as those.

Each conversion runs in a folder of its own, with a LibreOffice profile of its own, so that
two docsante processes never share one, and is stopped after CONVERSION_TIMEOUT seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ..errors import SourceError

CONVERSION_TIMEOUT = 120  # seconds; a file converts in one or two
OLE2, RTF = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf"  # how a 97-2003 Office file, and an RTF one, start


class Kind(NamedTuple):
    starts: tuple[bytes, ...]  # what the file starts with: LibreOffice would read anything else as plain text
    target: str                # the format it is converted to
    what: str                  # its name, for the user
    package: str               # the Debian package of LibreOffice that converts it


KINDS = {".doc": Kind((OLE2, RTF), "docx", "ancien format Word (.doc)", "libreoffice-writer-nogui"),  # RTF saved as .doc too
         ".rtf": Kind((RTF,), "docx", "format RTF", "libreoffice-writer-nogui"),
         ".ppt": Kind((OLE2,), "pptx", "ancien format PowerPoint (.ppt)", "libreoffice-impress-nogui")}


def soffice() -> str | None:
    """LibreOffice's command, when it is installed."""
    return program(("soffice", "libreoffice"), r"LibreOffice\program\soffice.exe")


def program(names: tuple[str, ...], windows_path: str) -> str | None:
    """A program's command: on the PATH under one of its names, else where its Windows installer
    puts it, under a Program Files folder (LibreOffice and Tesseract do not add themselves to the PATH)."""
    found = next((p for p in map(shutil.which, names) if p), None)
    if found:
        return found
    roots = (os.environ.get(v) for v in ("ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"))
    candidates = (Path(root, *windows_path.split("\\")) for root in roots if root)
    return next((str(c) for c in candidates if c.is_file()), None)


def read_converted(path: Path, read: Callable[[Path], object]):
    """What `read` (read_docx, read_pptx) reads of the file once LibreOffice has converted it."""
    kind = KINDS[path.suffix.lower()]
    with path.open("rb") as f:
        start = f.read(8)
    if not start.startswith(kind.starts):
        raise SourceError(f"pas un fichier {kind.what} (contenu d'un autre type)")
    command = soffice()
    if command is None:
        raise SourceError(f"{kind.what} non lu : installez LibreOffice (paquet {kind.package}) pour le lire, "
                          f"ou enregistrez-le en .{kind.target}")
    with tempfile.TemporaryDirectory(prefix="docsante-convert-") as tmp:
        folder = Path(tmp)
        try:
            subprocess.run([command, f"-env:UserInstallation={(folder / 'profil').as_uri()}", "--headless",
                            "--norestore", "--convert-to", kind.target, "--outdir", str(folder), str(path.resolve())],
                           capture_output=True, timeout=CONVERSION_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as e:
            raise SourceError(f"{kind.what} : conversion par LibreOffice trop longue "
                              f"(plus de {CONVERSION_TIMEOUT} s), fichier ignoré") from e
        converted = folder / f"{path.stem}.{kind.target}"
        if not converted.is_file():
            raise SourceError(f"{kind.what} illisible : LibreOffice n'a pas pu le convertir (paquet {kind.package} installé ?)")
        return read(converted)
