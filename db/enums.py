"""The office's vocabularies (DOMAIN.md). Stored by value; translated by core.i18n under `enum.<Class>.<value>`."""

from enum import StrEnum


class Role(StrEnum):
    SPECIALIST = "specialist"
    MANAGER = "manager"
    DIRECTOR = "director"
    ENGINEER = "engineer"
    FINANCE = "finance"
    ADMIN = "admin"


class CustomerGrade(StrEnum):
    """C-2: value / frequency / satisfaction grade; key customers get priority."""

    VIP = "vip"
    KEY = "key"
    NORMAL = "normal"


class ArchiveValidity(StrEnum):
    """C-3: the state of a customer record after a call."""

    VALID = "valid"
    UNREACHABLE = "unreachable"
    INVALID = "invalid"


class SourceChannel(StrEnum):
    WALK_IN = "walk_in"
    REFERRAL = "referral"
    WEBSITE = "website"
    PHONE = "phone"
    EXHIBITION = "exhibition"
    ADVERTISING = "advertising"


class CallbackKind(StrEnum):
    """CB-2 kinds; PROMISED_REPLY is CB-8's due item, RECHECK the L2/L3 re-check of CB-4."""

    FIRST = "first"
    NEW_CUSTOMER = "new_customer"
    AFTER_REPAIR = "after_repair"
    COMPLAINT = "complaint"
    MISSED_CALL = "missed_call"
    MAINTENANCE = "maintenance"
    QUESTIONNAIRE = "questionnaire"
    HOLIDAY = "holiday"
    BIRTHDAY = "birthday"
    AFTER_SALES = "after_sales"
    EXPANSION = "expansion"
    PROMISED_REPLY = "promised_reply"
    RECHECK = "recheck"
    PROGRESS = "progress"  # WO-11: the customer told how their repair stands


class TaskStatus(StrEnum):
    """A re-check finding sent back to a specialist (CB-4, CB-9): open until they record what they did."""

    OPEN = "open"
    DONE = "done"


class SampleGroup(StrEnum):
    """CB-4: the groups a re-check sample is drawn from, each to its own rate. L2: customers delivered to in
    the period, customers with a complaint in it; L3: customers new and old."""

    DELIVERED = "delivered"
    COMPLAINED = "complained"
    CUSTOMERS = "customers"


class CallbackLevel(StrEnum):
    """CB-1: L1 specialists, L2 the service manager, L3 the director."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"


class CallbackStatus(StrEnum):
    """CB-6: open work, claimed, then called-and-completed or called-not-completed."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    """CB-5 contact channels."""

    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    WECHAT = "wechat"
    QUESTIONNAIRE = "questionnaire"
    VISIT = "visit"


class CallOutcome(StrEnum):
    """CB-6 outcomes of one attempt."""

    REACHED = "reached"
    NOT_REACHED = "not_reached"
    WRONG_NUMBER = "wrong_number"
    CALL_LATER = "call_later"


class Satisfaction(StrEnum):
    """CB-7."""

    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    DISSATISFIED = "dissatisfied"


class IncomingCategory(StrEnum):
    """CB-11 incoming call categories."""

    NEW_ENQUIRY = "new_enquiry"
    RETURNING_PROSPECT = "returning_prospect"
    EXISTING_PROBLEM = "existing_problem"


class LeadClass(StrEnum):
    """L-1: A buys within a week, B within a month, C later."""

    A = "A"
    B = "B"
    C = "C"


class LeadStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class LeadResult(StrEnum):
    """L-2: what one lead contact achieved."""

    NO_ANSWER = "no_answer"
    TALKED = "talked"
    APPOINTMENT = "appointment"
    RECOMMENDATION = "recommendation"
    SALE = "sale"
    LOST = "lost"


class ComplaintChannel(StrEnum):
    """CP-1 intake channels."""

    VERBAL = "verbal"
    PHONE = "phone"
    LETTER = "letter"
    RETURN = "return"


class ComplaintStatus(StrEnum):
    """CP-2 workflow states."""

    RECEIVED = "received"
    VERIFYING = "verifying"
    CAPA_REQUESTED = "capa_requested"
    SOLUTION = "solution"
    REPLIED = "replied"
    FOLLOWED_UP = "followed_up"
    VERIFIED = "verified"
    CLOSED = "closed"


class ComplaintSeverity(StrEnum):
    """CP-5: how serious the customer's problem is; the promised reply's default deadline follows it."""

    MINOR = "minor"
    NORMAL = "normal"
    CRITICAL = "critical"


class Responsibility(StrEnum):
    UNDECIDED = "undecided"
    OURS = "ours"
    NOT_OURS = "not_ours"


class ComplaintCause(StrEnum):
    """K-3 cause categories for root-cause summaries (CP-4)."""

    QUALITY = "quality"
    DELIVERY = "delivery"
    SERVICE = "service"
    BILLING = "billing"
    USAGE = "usage"
    OTHER = "other"


class Remedy(StrEnum):
    """CP-3 remedies offered for returned goods."""

    REPLACEMENT = "replacement"
    REPAIR = "repair"
    REFUND = "refund"
    OTHER = "other"


class ServiceType(StrEnum):
    """WO-2: paid (A), contract (B), free/warranty (C), internal (D)."""

    PAID = "A"
    CONTRACT = "B"
    WARRANTY = "C"
    INTERNAL = "D"


class WorkOrderStatus(StrEnum):
    """WO-4 flow; PENDING carries a PendingReason."""

    NEW = "new"
    DISPATCHED = "dispatched"
    RECEIVED = "received"
    SURVEY = "survey"
    IN_REPAIR = "in_repair"
    PENDING = "pending"
    COMPLETED = "completed"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    SETTLED = "settled"
    CLOSED = "closed"


class PendingReason(StrEnum):
    """WO-4 pending reasons."""

    PARTS = "parts"
    CUSTOMER_ABSENT = "customer_absent"
    APPROVAL = "approval"


class SignatureKind(StrEnum):
    """WO-5: the two signatures drawn on a work order (the manager countersigns with their account)."""

    TECHNICIAN = "technician"
    CUSTOMER = "customer"


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    TRANSITION = "transition"
    DELETE = "delete"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    IMPORT = "import"
    EXPORT = "export"
    SETTINGS = "settings"
