//! The complaint code lists (CONTRACT.md "complaints"): each value's stored code and
//! Chinese label, defined once.

crate::code_enum! {
    /// How the complaint reached us.
    pub enum Channel {
        Phone => ("phone", "电话"),
        Online => ("online", "在线客服"),
        Email => ("email", "邮件"),
        Platform => ("platform", "平台"),
        Store => ("store", "门店"),
    }
}

crate::code_enum! {
    /// What it is about.
    pub enum Category {
        Logistics => ("logistics", "物流"),
        Quality => ("quality", "质量"),
        Service => ("service", "服务"),
        Price => ("price", "价格"),
        Other => ("other", "其他"),
    }
}

crate::code_enum! {
    /// How serious: a major one goes to the service manager at once.
    pub enum Severity {
        Normal => ("normal", "一般"),
        Major => ("major", "重大"),
    }
}

crate::code_enum! {
    /// A step of the complaint's timeline (`complaint_events.kind`).
    pub enum EventKind {
        Log => ("log", "登记投诉"),
        Assign => ("assign", "指派"),
        Reply => ("reply", "回复客户"),
        Note => ("note", "处理进展"),
        Resolve => ("resolve", "解决"),
        Close => ("close", "回访关闭"),
        Reopen => ("reopen", "重新打开"),
    }
}
