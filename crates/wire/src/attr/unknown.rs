//! Attributes this codec does not know.
//!
//! An unrecognised optional attribute is kept with its flags and bytes
//! ([`super::AttrValue::Unknown`]). RFC 4271 §5: if it is transitive it is
//! passed on with the Partial bit set ([`super::Attribute::mark_partial_if_unrecognised`]);
//! if it is non-transitive it is quietly dropped ([`super::Attribute::is_passed_on`]).
//! An unrecognised well-known attribute is an UPDATE error 3/2 and resets the
//! session.

#[cfg(test)]
mod tests {
    use crate::attr::{decode_attributes, flags, AttrValue, MpReachLayout};
    use crate::DecodeContext;

    #[test]
    fn unknown_transitive_is_kept_and_marked_partial() {
        let bytes = [0xc0, 99, 2, 0xab, 0xcd];
        let mut list = decode_attributes(&bytes, &DecodeContext::MODERN, MpReachLayout::Full);
        assert!(list.errors.is_empty());
        let a = &mut list.attributes[0];
        assert_eq!(
            a.value,
            AttrValue::Unknown {
                type_code: 99,
                data: vec![0xab, 0xcd]
            }
        );
        assert!(a.is_passed_on());
        a.mark_partial_if_unrecognised();
        assert_eq!(a.flags, 0xc0 | flags::PARTIAL);
        let mut out = Vec::new();
        a.encode(&mut out, &DecodeContext::MODERN);
        assert_eq!(out, [0xe0, 99, 2, 0xab, 0xcd]);
    }

    #[test]
    fn unknown_non_transitive_is_not_passed_on() {
        let bytes = [0x80, 98, 0];
        let list = decode_attributes(&bytes, &DecodeContext::MODERN, MpReachLayout::Full);
        assert!(!list.attributes[0].is_passed_on());
    }

    #[test]
    fn unknown_well_known_resets_the_session() {
        let bytes = [0x40, 97, 0];
        let list = decode_attributes(&bytes, &DecodeContext::MODERN, MpReachLayout::Full);
        assert!(list.attributes.is_empty());
        let e = &list.errors[0];
        assert_eq!(e.action, crate::AttrAction::SessionReset);
        assert_eq!((e.error.code, e.error.subcode), (3, 2));
        assert_eq!(e.error.data, bytes);
    }
}
