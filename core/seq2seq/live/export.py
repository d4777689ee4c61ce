"""A trained job's checkpoint as a download: ``checkpoint_zip`` (kept here for the live
package's users; the zip format, both ways, lives in ``core.checkpoint_files``)."""

from core.checkpoint_files import ZIP_FOLDER, checkpoint_zip

__all__ = ["ZIP_FOLDER", "checkpoint_zip"]
