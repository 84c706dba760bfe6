"""The importable fields (C-1) and the headers they are known by, in Chinese and English; a file's header
mapping is guessed from its headers and remembered by the file's shape (its normalised headers, hashed)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ImportMapping


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text | phone | email | date | grade | channel | flag | number | specialist
    required: bool = False
    product: bool = False  # a field of the product bought (a row may bring one)
    aliases: tuple[str, ...] = ()

    @property
    def label_key(self) -> str:
        return f"import.field.{self.name}"


def _f(name: str, kind: str, *aliases: str, required: bool = False, product: bool = False) -> FieldSpec:
    return FieldSpec(name, kind, required, product, aliases)


FIELDS: dict[str, FieldSpec] = {f.name: f for f in (
    _f("code", "text", "客户编号", "客户代码", "编号", "code", "customer code", "customer no", "customer id"),
    _f("name", "text", "姓名", "客户名称", "客户姓名", "客户", "名称", "name", "customer", "customer name",
       "full name", required=True),
    _f("is_company", "flag", "单位客户", "是否单位", "是否公司", "公司", "企业", "company", "is company", "客户类型"),
    _f("phone", "phone", "电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "phone", "mobile", "tel",
       "telephone", "phone number", "mobile phone", required=True),
    _f("email", "email", "邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail"),
    _f("address", "text", "地址", "详细地址", "联系地址", "住址", "address"),
    _f("city", "text", "城市", "所在城市", "city", "town"),
    _f("birthday", "date", "生日", "出生日期", "出生年月", "birthday", "birth date", "date of birth", "dob"),
    _f("grade", "grade", "等级", "客户等级", "级别", "grade", "level", "customer grade"),
    _f("source_channel", "channel", "来源", "客户来源", "来源渠道", "渠道", "source", "channel", "source channel"),
    _f("notes", "text", "备注", "说明", "notes", "note", "remarks", "comment", "comments"),
    _f("specialist", "specialist", "专员", "客服", "客服专员", "负责人", "specialist", "account manager", "owner"),
    _f("contact_name", "text", "联系人", "联系人姓名", "contact", "contact name", "contact person"),
    _f("contact_phone", "phone", "联系人电话", "联系人手机", "contact phone", "contact mobile"),
    _f("model", "text", "型号", "产品型号", "车型", "产品", "model", "product", "product model", product=True),
    _f("spec", "text", "规格", "配置", "spec", "specification", "version", product=True),
    _f("serial_no", "text", "车牌号", "车牌", "序列号", "车架号", "机身号", "serial", "serial no", "serial number",
       "plate", "plate no", "plate number", "vin", product=True),
    _f("order_no", "text", "订单号", "订单编号", "合同号", "order no", "order number", "order", "order id",
       product=True),
    _f("purchase_date", "date", "购买日期", "购买时间", "购车日期", "下单日期", "purchase date", "purchased",
       "date of purchase", "order date", product=True),
    _f("delivery_date", "date", "交付日期", "交车日期", "交货日期", "提车日期", "delivery date", "delivered",
       product=True),
    _f("place", "text", "购买地点", "购买门店", "门店", "place", "place of purchase", "store", "shop", product=True),
    _f("usage", "number", "里程", "行驶里程", "使用量", "usage", "mileage", "km", product=True),
)}
PRODUCT_REQUIRED = ("model", "order_no", "purchase_date")  # a product is saved only with all three (C-1)


def normal_header(header: str) -> str:
    """Lower case, no blanks, no punctuation or trailing colons: "Phone No.:" and "phone no" meet."""
    return re.sub(r"[\s_\-.:：()（）/#*]+", " ", (header or "").lower()).strip()


ALIASES = {normal_header(a): f.name for f in FIELDS.values() for a in (f.name, *f.aliases)}


def guess(headers: list[str]) -> dict[int, str]:
    """Column index → field for each header known by a field's Chinese or English name; each field is taken
    by its first column only."""
    out: dict[int, str] = {}
    for index, header in enumerate(headers):
        field = ALIASES.get(normal_header(header))
        if field and field not in out.values():
            out[index] = field
    return out


def shape(headers: list[str]) -> str:
    """The file's shape: the sha256 of its normalised headers, in order."""
    return hashlib.sha256("\x1f".join(normal_header(h) for h in headers).encode()).hexdigest()


def remembered(engine, shape_: str) -> dict[int, str] | None:
    """The mapping last confirmed for files of this shape, or None."""
    with Session(engine) as s:
        found = s.scalar(select(ImportMapping.mapping).where(ImportMapping.shape == shape_))
    return {int(k): v for k, v in found.items() if v in FIELDS} if found else None


def remember(s: Session, shape_: str, mapping: dict[int, str], user_id: int, now: datetime) -> None:
    """Keep the mapping for the shape (in the caller's transaction)."""
    row = s.scalar(select(ImportMapping).where(ImportMapping.shape == shape_))
    if row is None:
        row = ImportMapping(shape=shape_, kind="customers")
        s.add(row)
    row.mapping = {str(k): v for k, v in sorted(mapping.items())}
    row.updated_by_id, row.updated_at = user_id, now
