//! The order's code lists (CONTRACT.md "Orders"): platforms, sources, states, holds,
//! carriers, parcel exceptions — and the one transition function of the state.

crate::code_enum! {
    /// Where an order was placed (`orders.platform`).
    pub enum Platform {
        Taobao => ("taobao", "淘宝"),
        Tmall => ("tmall", "天猫"),
        Jd => ("jd", "京东"),
        Pdd => ("pdd", "拼多多"),
        Douyin => ("douyin", "抖音"),
        Offline => ("offline", "线下"),
        Other => ("other", "其他"),
    }
}

crate::code_enum! {
    /// How an order came in (`orders.source`).
    pub enum Source {
        Import => ("import", "导入"),
        Manual => ("manual", "手工录入"),
        Contract => ("contract", "合同生成"),
    }
}

crate::code_enum! {
    /// An order's state (`orders.status`); holds are separate (`HoldKind`).
    pub enum OrderStatus {
        PendingReview => ("pending_review", "待审核"),
        Approved => ("approved", "已审核"),
        Allocated => ("allocated", "已配货"),
        PartiallyShipped => ("partially_shipped", "部分发货"),
        Shipped => ("shipped", "已发货"),
        Delivered => ("delivered", "已签收"),
        Exception => ("exception", "物流异常"),
        Cancelled => ("cancelled", "已取消"),
    }
}

crate::code_enum! {
    /// Why an order is held (`order_holds.kind`); several may be active at once,
    /// each kind at most once.
    pub enum HoldKind {
        Unpaid => ("unpaid", "未付款"),
        Address => ("address", "地址不完整"),
        Stock => ("stock", "缺货"),
        Manual => ("manual", "人工挂起"),
    }
}

crate::code_enum! {
    /// Carriers (`parcels.carrier`).
    pub enum Carrier {
        Sf => ("SF", "顺丰"),
        Zto => ("ZTO", "中通"),
        Yto => ("YTO", "圆通"),
        Sto => ("STO", "申通"),
        Yd => ("YD", "韵达"),
        Jd => ("JD", "京东物流"),
        Ems => ("EMS", "EMS"),
        Jtsd => ("JTSD", "极兔"),
        Dbl => ("DBL", "德邦"),
        Postb => ("POSTB", "邮政快递包裹"),
        Other => ("OTHER", "其他"),
    }
}

crate::code_enum! {
    /// What went wrong with a parcel (`parcels.exception_kind`).
    pub enum ExceptionKind {
        Delay => ("delay", "延误"),
        Lost => ("lost", "丢件"),
        Damaged => ("damaged", "破损"),
        Refused => ("refused", "拒收"),
    }
}

/// What happens to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderEvent {
    /// Reviewed and found in order (no active hold).
    Approve,
    /// Stock reserved in a warehouse (or moved to another one).
    Allocate,
    /// A parcel left; `rest_allocated`: reserved units remain to ship.
    Ship { rest_allocated: bool },
    /// Every parcel arrived.
    Deliver,
    /// A parcel was delayed, lost, damaged or refused.
    Exception,
    /// Cancelled (only before anything shipped).
    Cancel,
}

impl OrderStatus {
    /// Nothing has left the warehouse: the order may still be cancelled.
    pub fn before_shipping(self) -> bool {
        matches!(self, Self::PendingReview | Self::Approved | Self::Allocated)
    }

    /// The state after `event`, or `None` when the event may not happen now.
    pub fn next(self, event: OrderEvent) -> Option<OrderStatus> {
        use OrderEvent as E;
        use OrderStatus as S;
        match (self, event) {
            (S::PendingReview, E::Approve) => Some(S::Approved),
            // An exception's lost parcel is re-sent from a new reservation.
            (S::Approved | S::Allocated | S::Exception, E::Allocate) => Some(S::Allocated),
            (S::Allocated | S::PartiallyShipped | S::Exception, E::Ship { rest_allocated }) => {
                Some(if rest_allocated { S::PartiallyShipped } else { S::Shipped })
            }
            (S::Shipped | S::Exception, E::Deliver) => Some(S::Delivered),
            (S::Shipped | S::PartiallyShipped | S::Exception, E::Exception) => Some(S::Exception),
            (s, E::Cancel) if s.before_shipping() => Some(S::Cancelled),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_and_its_refusals() {
        use OrderEvent as E;
        use OrderStatus as S;
        let s = S::PendingReview;
        assert_eq!(s.next(E::Allocate), None, "not before review");
        let s = s.next(E::Approve).unwrap();
        assert_eq!(s.next(E::Approve), None);
        let s = s.next(E::Allocate).unwrap();
        assert_eq!(s, S::Allocated);
        assert_eq!(s.next(E::Allocate), Some(S::Allocated), "reassigned to another warehouse");
        let s = s.next(E::Ship { rest_allocated: true }).unwrap();
        assert_eq!(s, S::PartiallyShipped);
        assert_eq!(s.next(E::Cancel), None, "something has shipped");
        assert_eq!(s.next(E::Deliver), None, "not before the last parcel");
        let s = s.next(E::Ship { rest_allocated: false }).unwrap();
        assert_eq!(s, S::Shipped);
        assert_eq!(s.next(E::Ship { rest_allocated: false }), None, "nothing left to ship");
        assert_eq!(s.next(E::Deliver), Some(S::Delivered));
        assert_eq!(S::Delivered.next(E::Exception), None);
        assert_eq!(S::Cancelled.next(E::Approve), None);
    }

    #[test]
    fn cancel_only_before_shipping_and_exceptions_from_shipped() {
        use OrderEvent as E;
        use OrderStatus as S;
        for s in OrderStatus::ALL {
            assert_eq!(
                s.next(E::Cancel).is_some(),
                matches!(s, S::PendingReview | S::Approved | S::Allocated),
                "{s:?}"
            );
        }
        assert_eq!(S::Shipped.next(E::Exception), Some(S::Exception));
        assert_eq!(S::Approved.next(E::Exception), None);
        assert_eq!(S::Exception.next(E::Allocate), Some(S::Allocated), "a lost parcel is re-sent");
        assert_eq!(S::Exception.next(E::Deliver), Some(S::Delivered), "a delay resolved");
    }

    #[test]
    fn platforms_parse_by_code_or_label() {
        assert_eq!(Platform::parse_code_or_label("淘宝"), Some(Platform::Taobao));
        assert_eq!(Platform::parse_code_or_label("pdd"), Some(Platform::Pdd));
        assert_eq!(Carrier::parse("SF"), Some(Carrier::Sf));
        assert_eq!(Carrier::parse("sf"), None, "carrier codes are upper case");
    }
}
