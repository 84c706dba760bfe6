"""All tables of the office; importing this package registers every model on Base.metadata."""

from db.models.auth import SetupCode, UserSession
from db.models.base import Base, UTCDateTime
from db.models.callbacks import (
    CallAttempt,
    Callback,
    IncomingCall,
    Lead,
    LeadContact,
    RecheckPopulation,
    RecheckSample,
    Task,
)
from db.models.complaints import Complaint, ComplaintEvent, ComplaintEvidence
from db.models.kpi import (
    KpiAttemptDay,
    KpiCallbackDay,
    KpiComplaintDay,
    KpiDissatisfactionDay,
    KpiLeadContactDay,
    KpiLeadFollowUpDay,
    KpiOrderDoneDay,
    KpiOrderIntakeDay,
)
from db.models.people import Contact, Customer, CustomerSearchTerm, ImportBatch, ImportMapping, Product, User
from db.models.system import AuditEntry, JobLease, KpiMark, KpiRollupState, Setting, WeeklyReport
from db.models.work_orders import FinanceBatch, WorkOrder, WorkOrderEvent, WorkOrderSignature

__all__ = [
    "AuditEntry", "Base", "CallAttempt", "Callback", "Complaint", "ComplaintEvent", "ComplaintEvidence", "Contact",
    "Customer", "CustomerSearchTerm", "FinanceBatch", "ImportBatch", "ImportMapping", "IncomingCall", "JobLease",
    "KpiAttemptDay", "KpiCallbackDay", "KpiComplaintDay", "KpiDissatisfactionDay", "KpiLeadContactDay",
    "KpiLeadFollowUpDay", "KpiMark", "KpiOrderDoneDay", "KpiOrderIntakeDay", "KpiRollupState", "Lead",
    "LeadContact", "Product", "RecheckPopulation", "RecheckSample", "Setting", "SetupCode", "Task", "UTCDateTime",
    "User", "UserSession", "WeeklyReport", "WorkOrder", "WorkOrderEvent", "WorkOrderSignature",
]
