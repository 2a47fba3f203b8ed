package pay

import (
	"unicode/utf8"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Reply codes of every pay interface.
const (
	RetSuccess = "SUCCESS" // accepted and checked
	RetFail    = "FAIL"    // refused; retMsg says why
)

// Trade statuses returned by orderquery.
const (
	TradeNotPay     = "NOTPAY"
	TradeProcessing = "PROCESSING"
	TradeSuccess    = "SUCCESS"
	TradeFail       = "FAIL"
)

// MaxRetMsg is the longest retMsg the pay document allows, in bytes.
const MaxRetMsg = 32

// MaxUserToken bounds userToken, which the pay document leaves unbounded.
const MaxUserToken = 4096

// CreateOrderRequest is the platform's create-order call (pay document §1).
type CreateOrderRequest struct {
	SkillID   string      `json:"skillId"`
	UserToken string      `json:"userToken"`
	Details   []shop.Line `json:"details"`
	TotalAmt  shop.Fen    `json:"totalAmt"`
	NonceStr  string      `json:"nonceStr"`
}

// ShipNotifyRequest is the platform's ship notify, sent after the user paid
// (pay document §2). It may arrive many times.
type ShipNotifyRequest struct {
	SkillID       string   `json:"skillId"`
	UserToken     string   `json:"userToken"`
	TransactionID string   `json:"transactionId"`
	TradeNo       string   `json:"tradeNo"`
	TotalAmt      shop.Fen `json:"totalAmt"`
	NonceStr      string   `json:"nonceStr"`
}

// RefundNotifyRequest is the platform's refund result notify (pay document §6).
type RefundNotifyRequest struct {
	SkillID             string            `json:"skillId"`
	TransactionID       string            `json:"transactionId"`
	TradeNo             string            `json:"tradeNo"`
	RefundTransactionID string            `json:"refundTransactionId"`
	RefundTradeNo       string            `json:"refundTradeNo"`
	TotalAmt            shop.Fen          `json:"totalAmt"`
	RefundAmt           shop.Fen          `json:"refundAmt"`
	RefundStatus        shop.RefundStatus `json:"refundStatus"`
	RefundStatusDesc    string            `json:"refundStatusDesc"`
	NonceStr            string            `json:"nonceStr"`
}

// Reply is the answer to each partner endpoint. TradeNo is set only by a
// successful create order.
type Reply struct {
	RetCode string `json:"retCode"`
	RetMsg  string `json:"retMsg"`
	TradeNo string `json:"tradeNo,omitempty"`
}

// OK reports whether the reply is SUCCESS.
func (r Reply) OK() bool { return r.RetCode == RetSuccess }

// Success returns a SUCCESS reply.
func Success() Reply { return Reply{RetCode: RetSuccess, RetMsg: "OK"} }

// Fail returns a FAIL reply whose retMsg is msg cut to MaxRetMsg bytes on a
// rune boundary.
func Fail(msg string) Reply { return Reply{RetCode: RetFail, RetMsg: TruncateRetMsg(msg)} }

// TruncateRetMsg cuts msg to at most MaxRetMsg bytes without splitting a rune.
func TruncateRetMsg(msg string) string { return truncateBytes(msg, MaxRetMsg) }

// truncateBytes cuts s to at most n bytes without splitting a rune.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// OrderQuery asks the platform about one order (pay document §3). Set
// TradeNo or TransactionID; Client fills SkillID and NonceStr.
type OrderQuery struct {
	SkillID       string `json:"skillId"`
	TransactionID string `json:"transactionId,omitempty"`
	TradeNo       string `json:"tradeNo,omitempty"`
	Version       string `json:"version,omitempty"`
	NonceStr      string `json:"nonceStr"`
}

// OrderStatus is the platform's answer to an OrderQuery.
type OrderStatus struct {
	RetCode         string   `json:"retCode"`
	RetMsg          string   `json:"retMsg,omitempty"`
	SkillID         string   `json:"skillId,omitempty"`
	TransactionID   string   `json:"transactionId,omitempty"`
	TradeNo         string   `json:"tradeNo,omitempty"`
	TotalAmt        shop.Fen `json:"totalAmt"`
	TradeStatus     string   `json:"tradeStatus,omitempty"`
	TradeStatusDesc string   `json:"tradeStatusDesc,omitempty"`
}

// RefundRequest asks the platform to refund (pay document §4). RefundTradeNo
// is ours and must stay the same across retries; Client fills SkillID and
// NonceStr.
type RefundRequest struct {
	SkillID       string      `json:"skillId"`
	TransactionID string      `json:"transactionId,omitempty"`
	TradeNo       string      `json:"tradeNo,omitempty"`
	RefundTradeNo string      `json:"refundTradeNo"`
	TotalAmt      shop.Fen    `json:"totalAmt"`
	RefundAmt     shop.Fen    `json:"refundAmt"`
	RefundDesc    string      `json:"refundDesc,omitempty"`
	RefundDetails []shop.Line `json:"refundDetails"`
	Version       string      `json:"version,omitempty"`
	NonceStr      string      `json:"nonceStr"`
}

// RefundResult is the platform's answer to a RefundRequest: SUCCESS means the
// refund was accepted (it is still processing).
type RefundResult struct {
	RetCode             string   `json:"retCode"`
	RetMsg              string   `json:"retMsg,omitempty"`
	SkillID             string   `json:"skillId,omitempty"`
	TransactionID       string   `json:"transactionId,omitempty"`
	TradeNo             string   `json:"tradeNo,omitempty"`
	RefundTransactionID string   `json:"refundTransactionId,omitempty"`
	RefundTradeNo       string   `json:"refundTradeNo,omitempty"`
	TotalAmt            shop.Fen `json:"totalAmt"`
	RefundAmt           shop.Fen `json:"refundAmt"`
}

// RefundQuery asks the platform about one refund (pay document §5). Set
// RefundTradeNo or RefundTransactionID; Client fills SkillID and NonceStr.
type RefundQuery struct {
	SkillID             string `json:"skillId"`
	RefundTransactionID string `json:"refundTransactionId,omitempty"`
	RefundTradeNo       string `json:"refundTradeNo,omitempty"`
	Version             string `json:"version,omitempty"`
	NonceStr            string `json:"nonceStr"`
}

// RefundStatus is the platform's answer to a RefundQuery.
type RefundStatus struct {
	RetCode             string            `json:"retCode"`
	RetMsg              string            `json:"retMsg,omitempty"`
	SkillID             string            `json:"skillId,omitempty"`
	TransactionID       string            `json:"transactionId,omitempty"`
	TradeNo             string            `json:"tradeNo,omitempty"`
	RefundTransactionID string            `json:"refundTransactionId,omitempty"`
	RefundTradeNo       string            `json:"refundTradeNo,omitempty"`
	TotalAmt            shop.Fen          `json:"totalAmt"`
	RefundAmt           shop.Fen          `json:"refundAmt"`
	RefundStatus        shop.RefundStatus `json:"refundStatus,omitempty"`
	RefundStatusDesc    string            `json:"refundStatusDesc,omitempty"`
}
