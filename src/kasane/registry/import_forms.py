"""The upload form of the 住民記録 import page."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from kasane.core.uploads import check_upload


class ResidentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Resident register file (CSV)"),
        help_text=_("The CSV the resident register system exports, in UTF-8 or Shift_JIS (CP932)."),
    )
    encoding = forms.ChoiceField(
        label=_("Character encoding"),
        choices=[
            ("", _("Detect automatically")),
            ("utf-8", "UTF-8"),
            ("cp932", "Shift_JIS (CP932)"),
        ],
        required=False,
    )
    # The checksum of the file the worker previewed: the import runs only on that file.
    digest = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_file(self) -> UploadedFile:
        return check_upload(self.cleaned_data["file"], suffixes=(".csv", ".txt"))
