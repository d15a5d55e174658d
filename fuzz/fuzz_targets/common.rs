use peerd_wire::{DecodeContext, FamilySet};

/// The first input byte chooses the negotiated context.
pub fn context(b: u8) -> DecodeContext {
    let mut add_path = FamilySet::EMPTY;
    for (bit, f) in [
        (1, peerd_wire::Family::IPV4_UNICAST),
        (2, peerd_wire::Family::IPV6_UNICAST),
        (4, peerd_wire::Family::IPV4_MULTICAST),
        (8, peerd_wire::Family::IPV6_MULTICAST),
    ] {
        if b & bit != 0 {
            add_path.insert(f);
        }
    }
    DecodeContext { four_octet_as: b & 0x10 != 0, add_path, extended_message: b & 0x20 != 0 }
}
