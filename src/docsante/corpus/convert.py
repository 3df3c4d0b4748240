"""Word files of the old formats (.doc, Word 97-2003, and .rtf), converted to DOCX by
LibreOffice (headless `soffice`) when it is installed, then read as DOCX.

Each conversion runs in a folder of its own, with a LibreOffice profile of its own, so that
two docsante processes never share one, and is stopped after CONVERSION_TIMEOUT seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import SourceError

CONVERSION_TIMEOUT = 120  # seconds; a Word file converts in one or two
# what each format's file starts with: LibreOffice would read anything else as plain text
MAGIC = {".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf"),  # OLE2 (Word 97-2003), or RTF saved as .doc
         ".rtf": (b"{\\rtf",)}
WHAT = {".doc": "ancien format Word (.doc)", ".rtf": "format RTF"}
INSTALL_HINT = "installez LibreOffice (paquet libreoffice-writer-nogui) pour le lire, ou enregistrez-le en .docx"


def soffice() -> str | None:
    """LibreOffice's command, when it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_converted(path: Path, read_docx: Callable[[Path], object]):
    """What `read_docx` reads of the file once LibreOffice has converted it to DOCX."""
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        start = f.read(8)
    if not start.startswith(MAGIC[suffix]):
        raise SourceError(f"pas un fichier {WHAT[suffix]} (contenu d'un autre type)")
    command = soffice()
    if command is None:
        raise SourceError(f"{WHAT[suffix]} non lu : {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="docsante-convert-") as tmp:
        folder = Path(tmp)
        try:
            subprocess.run([command, f"-env:UserInstallation={(folder / 'profil').as_uri()}", "--headless",
                            "--norestore", "--convert-to", "docx", "--outdir", str(folder), str(path.resolve())],
                           capture_output=True, timeout=CONVERSION_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as e:
            raise SourceError(f"{WHAT[suffix]} : conversion par LibreOffice trop longue "
                              f"(plus de {CONVERSION_TIMEOUT} s), fichier ignoré") from e
        converted = folder / f"{path.stem}.docx"
        if not converted.is_file():
            raise SourceError(f"{WHAT[suffix]} illisible : LibreOffice n'a pas pu le convertir")
        return read_docx(converted)
