"""Staff and customers: users with roles, customer archive (C-1..C-3), contacts, products owned."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.enums import ArchiveValidity, CustomerGrade, Role, SourceChannel
from db.models.base import Base, UTCDateTime, enum_col, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(enum_col(Role), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # CP-2: the office's quality inspector verifies complaints; while nobody is one, the manager acts for quality
    quality: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Customer(Base):
    """C-1 identity and contact data, C-2 grade, C-3 archive validity; wrong data is corrected, never deleted."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    is_company: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(100))
    birthday: Mapped[date | None] = mapped_column(Date)
    source_channel: Mapped[SourceChannel | None] = mapped_column(enum_col(SourceChannel))
    grade: Mapped[CustomerGrade] = mapped_column(enum_col(CustomerGrade), default=CustomerGrade.NORMAL, index=True)
    validity: Mapped[ArchiveValidity] = mapped_column(
        enum_col(ArchiveValidity), default=ArchiveValidity.VALID, index=True
    )
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # C-5: when the record first held everything C-1 asks of it (None while it still lacks something)
    archive_complete_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    contacts: Mapped[list[Contact]] = relationship(back_populates="customer", order_by="Contact.id")
    products: Mapped[list[Product]] = relationship(back_populates="customer", order_by="Product.id")


class Contact(Base):
    """C-1 contact persons of a customer, each with phone and email."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Product(Base):
    """C-1 products owned: the order that sold it and its delivery (order effective → CB-2 first call)."""

    __tablename__ = "products"
    __table_args__ = (Index("ix_products_delivery_date", "delivery_date"),
                      Index("ix_products_effective_date", "effective_date"))  # CB-2 first-call sweep

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    order_no: Mapped[str] = mapped_column(String(40), unique=True)
    model: Mapped[str] = mapped_column(String(100), index=True)
    spec: Mapped[str | None] = mapped_column(String(200))
    serial_no: Mapped[str | None] = mapped_column(String(60), index=True)
    purchase_date: Mapped[date] = mapped_column(Date)
    effective_date: Mapped[date | None] = mapped_column(Date)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    usage: Mapped[int | None] = mapped_column(Integer)
    price_cents: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="products")


class CustomerSearchTerm(Base):
    """The search box's index (C-1): every term a customer is found by (the suffixes of the name, the
    pinyin initials of every reading, the phones' digits), lower-cased, rewritten in the same transaction
    as every write that changes them. A search is a prefix range on `term`, served by the primary key."""

    __tablename__ = "customer_search_terms"

    # compared bytewise on both databases (a prefix is a range): PostgreSQL's locale collation would not do
    term: Mapped[str] = mapped_column(String(80).with_variant(String(80, collation="C"), "postgresql"),
                                      primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)


class ImportBatch(Base):
    """One import of a spreadsheet into the archive (C-1): who, which file (name and sha256), when, how it
    was asked to treat duplicates, and what it did; written in the import's own transaction, so a batch
    row exists exactly when its rows do."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="customers")
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    mode: Mapped[str] = mapped_column(String(12))  # what duplicates of the archive got: update | skip | refuse
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_created: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_skipped: Mapped[int] = mapped_column(Integer, default=0)
    rows_refused: Mapped[int] = mapped_column(Integer, default=0)


class ImportMapping(Base):
    """The header mapping a user confirmed for a file of one shape (its headers, normalised and hashed),
    offered again for the next file of the same shape."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="customers")
    shape: Mapped[str] = mapped_column(String(64), unique=True)
    mapping: Mapped[dict] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
