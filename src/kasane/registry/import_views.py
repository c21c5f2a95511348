"""The 住民記録 import page: upload, check (a dry run that lists every fault or counts what
would change), then import the same file. Thin: the parser reads, the service decides."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kasane.core.web import require_role
from kasane.registry import resident_import
from kasane.registry.import_forms import ResidentImportForm
from kasane.registry.import_services import (
    ResidentImportError,
    file_digest,
    may_import_residents,
    residents_import,
)

# A page lists this many faults; the command lists them all.
SHOWN_ERRORS = 1000


@require_http_methods(["GET", "POST"])
def resident_import_page(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, may_import_residents, hide=False)
    form = ResidentImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        digest = file_digest(data)
        encoding = form.cleaned_data["encoding"] or None
        confirmed = "confirm" in request.POST and form.cleaned_data["digest"] == digest
        try:
            parsed = resident_import.parse(data, encoding)
            # The file's faults go with its rows: the register's are named in the same pass.
            result = residents_import(
                actor=actor,
                rows=parsed.rows,
                digest=digest,
                dry_run=not confirmed,
                faults=parsed.errors,
                incomplete=parsed.refused_households,
            )
        except resident_import.ImportFileError as error:
            form.add_error("file", str(error))
        except ResidentImportError as refused:
            context["errors"] = refused.errors[:SHOWN_ERRORS]
            context["more_errors"] = max(0, len(refused.errors) - SHOWN_ERRORS)
        else:
            if confirmed:
                messages.success(
                    request,
                    _(
                        "Imported: %(households)d new households, %(persons)d new persons, "
                        "%(updated)d updated, %(moved)d moved, %(unchanged)d unchanged."
                    )
                    % {
                        "households": result.households_created,
                        "persons": result.persons_created,
                        "updated": result.persons_updated,
                        "moved": result.persons_moved,
                        "unchanged": result.unchanged,
                    },
                )
                return redirect("registry:household_list")
            context.update(
                preview=result,
                rows=len(parsed.rows),
                encoding=parsed.encoding,
                confirm_form=ResidentImportForm(
                    initial={"digest": digest, "encoding": encoding or ""}
                ),
            )
    return render(request, "registry/resident_import.html", context)
