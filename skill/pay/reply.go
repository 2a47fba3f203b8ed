package pay

import (
	"github.com/dingdang-voicepay/voicepay/shop"
)

// Codes of the pay interfaces' own refusals, beside the ledger's (shop.E*):
// what the pay document's fields must look like, and what an offer or a
// notification must agree with. Each is its own retMsg (see FailReply).
const (
	EBadSkillID        = "bad_skill_id"         // skillId empty or too long
	EWrongSkillID      = "wrong_skill_id"       // another skill's request
	EBadNonce          = "bad_nonce"            // nonceStr empty or too long
	ENoUserToken       = "missing_user_token"   // userToken empty
	EUserTokenTooLong  = "user_token_too_long"  // userToken past MaxUserToken
	EBadUserToken      = "bad_user_token"       // userToken with control characters, or an offer we cannot read
	EBadTradeNo        = "bad_trade_no"         // tradeNo not 1..32 letters and digits
	EBadRefundTradeNo  = "bad_refund_trade_no"  // refundTradeNo not 1..32 letters and digits
	EBadTransactionID  = "bad_transaction_id"   // transactionId not 1..32 printable characters
	EFieldTooLong      = "field_too_long"       // an id past 32 bytes
	EUnknownOrder      = "unknown_trade_no"     // no order with that tradeNo
	EOrderSettled      = "order_settled"        // create-order repeated for an order paid or closed
	ERefundAmtMismatch = "refund_amt_mismatch"  // refundAmt other than the refund's
	ERefundIDMismatch  = "refund_id_mismatch"   // refundTransactionId other than the one recorded
	ETxMismatch        = "transaction_mismatch" // a refund notify's transactionId other than the order's
	EUserMismatch      = "user_token_mismatch"  // a ship notify's userToken not the order's
	EOfferExpired      = "offer_expired"        // an offer past its TTL
	EUnknownOffer      = "unknown_offer"        // an offer reference naming no offer we keep
	EBadOffer          = "bad_offer"            // an offer reference forged, altered or malformed
	EOfferMismatch     = "offer_mismatch"       // an order other than the offer
	EOfferPaid         = "offer_paid"           // another order of the offer was paid already
	EQueryMismatch     = "query_mismatch"       // orderquery answered about another order
	ERefundRefused     = "refund_refused"       // the platform refused a refund
)

// RetryMsg is the retMsg of a FAIL caused by our own trouble (storage down,
// a bug): the platform retries on any FAIL, and should.
const RetryMsg = "try_again"

// retMsgs is THE table from error code to the retMsg of a FAIL reply. A
// specific code, ours or the ledger's, is short and stable and is its own
// retMsg, so it is not listed; a class code is listed with what it means
// to the platform. Nothing else ever reaches a retMsg: no id, no message,
// nothing cut.
var retMsgs = map[string]string{
	shop.EINVALID:      "invalid",
	shop.ENOTFOUND:     "not_found",
	shop.ECONFLICT:     "conflict",
	shop.EUNAUTHORIZED: "unauthorized",
	shop.EUNAVAILABLE:  RetryMsg,
	shop.EINTERNAL:     RetryMsg,
}

// FailReply returns the FAIL reply for err through the table: an error
// with a specific code answers that code; otherwise its class decides, and
// an error without a code is internal, answered RetryMsg.
func FailReply(err error) Reply {
	code, class := shop.ErrorCode(err), shop.ErrorClass(err)
	if class == shop.EUNAVAILABLE || class == shop.EINTERNAL {
		return Reply{RetCode: RetFail, RetMsg: RetryMsg}
	}
	if msg, ok := retMsgs[code]; ok {
		return Reply{RetCode: RetFail, RetMsg: msg}
	}
	if isCode(code) {
		return Reply{RetCode: RetFail, RetMsg: code}
	}
	return Reply{RetCode: RetFail, RetMsg: retMsgs[class]}
}

// transient reports whether err is our own trouble, for which the platform
// should retry, rather than a refusal.
func transient(err error) bool {
	c := shop.ErrorClass(err)
	return c == shop.EUNAVAILABLE || c == shop.EINTERNAL
}

// isCode reports whether s has the shape of a code: 1..MaxRetMsg lower-case
// letters, digits and underscores.
func isCode(s string) bool {
	if s == "" || len(s) > MaxRetMsg {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
