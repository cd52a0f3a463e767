"""The imports there are, by kind (the name the management command and the URL use)."""

from onboarding.importers.cases import CaseImporter
from onboarding.importers.divisions import DivisionImporter
from onboarding.importers.grids import AuxiliaryImporter, GridImporter, GridWorkerImporter, PoliceGridImporter
from onboarding.importers.mediation import MediatorImporter, OrgImporter
from onboarding.importers.staff import DepartmentImporter, StaffImporter

IMPORTERS = {
    cls.kind: cls
    for cls in (
        DivisionImporter,
        DepartmentImporter,
        StaffImporter,
        OrgImporter,
        MediatorImporter,
        GridImporter,
        PoliceGridImporter,
        AuxiliaryImporter,
        GridWorkerImporter,
        CaseImporter,
    )
}
