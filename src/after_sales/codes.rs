//! The after-sales code lists (CONTRACT.md "After-sales"): each value's stored code
//! and Chinese label, defined once.

crate::code_enum! {
    /// What the customer asks for.
    pub enum CaseKind {
        Refund => ("refund", "仅退款"),
        Return => ("return", "退货退款"),
        Exchange => ("exchange", "换货"),
        Repair => ("repair", "维修"),
    }
}

impl CaseKind {
    /// The goods come back to us (everything but a refund only).
    pub fn takes_goods_back(self) -> bool {
        self != CaseKind::Refund
    }

    /// Money goes back to the customer (refund and return).
    pub fn refunds(self) -> bool {
        matches!(self, CaseKind::Refund | CaseKind::Return)
    }

    /// Goods go out again after they came back (exchange and repair).
    pub fn sends_out_again(self) -> bool {
        matches!(self, CaseKind::Exchange | CaseKind::Repair)
    }
}

crate::code_enum! {
    /// Why: the category of the reason.
    pub enum Category {
        Quality => ("quality", "质量问题"),
        WrongItem => ("wrong_item", "发错货"),
        Missing => ("missing", "少件"),
        Damaged => ("damaged", "物流损坏"),
        NoReason => ("no_reason", "七天无理由"),
        Other => ("other", "其他"),
    }
}

crate::code_enum! {
    /// How a refund is paid back.
    pub enum RefundMethod {
        Original => ("original", "原路退回"),
        Bank => ("bank", "银行转账"),
        Other => ("other", "其他"),
    }
}

crate::code_enum! {
    /// What happens to goods received back.
    pub enum Disposition {
        Restock => ("restock", "入库"),
        Scrap => ("scrap", "报废"),
        /// The customer's own item, kept for repair (a repair case; no stock).
        Repair => ("repair", "待维修"),
    }
}

crate::code_enum! {
    /// A refund's state.
    pub enum RefundStatus {
        Pending => ("pending", "待经理审批"),
        Done => ("done", "已退款"),
        Rejected => ("rejected", "已驳回"),
    }
}
