"""Every refusal of the after-sales desk: its API code and what it says, in the reader's language.

The placeholders are keys of the error's details (core/errors.py). Values after a colon name a
variant of one API code whose sentence differs by where it is raised (`invalid_amount:ruling`).
"""

from django.utils.translation import gettext_lazy as _

from sellerdesk.core.errors import ErrorCode

from .models import Liable, Outcome, Status


class AfterSaleErrorCode(ErrorCode):
    NOT_FOUND = "not_found", _("售后单不存在。")
    ORDER_NOT_FOUND = "order_not_found", _("订单不存在。")
    OFFER_NOT_FOUND = "not_found:offer", _("方案不存在。")
    ATTACHMENT_NOT_FOUND = "not_found:attachment", _("文件不存在。")
    REFUND_NOT_FOUND = "refund_not_found", _("没有这笔退款。")
    FORBIDDEN_ROLE = "forbidden_role", _("您的角色不能进行这个操作。")
    INVALID_TRANSITION = (
        "invalid_transition",
        _("售后单当前为“%(status_label)s”，不能进行这个操作。请刷新页面查看最新状态。"),
    )
    NOT_ASKED_FOR_EVIDENCE = "invalid_transition:not_asked", _("平台客服要求的是对方补充凭证，不是您。")
    DEADLINE_PASSED = "deadline_passed", _("该步骤已于 %(due_at)s 截止，不能再操作。")
    CONCURRENT_UPDATE = "concurrent_update", _("售后单刚刚被其他人更新，请刷新页面后重试。")
    AFTERSALE_ALREADY_OPEN = "aftersale_already_open", _("这个订单已有进行中的售后申请。")
    INVALID_TYPE = "invalid_type", _("请选择售后类型。")
    INVALID_AMOUNT = "invalid_amount", _("请填写大于 ¥0.00 的金额。")
    INVALID_RULING_AMOUNT = (
        "invalid_amount:ruling",
        _("部分退款金额须大于 ¥0.00、小于申请金额 %(requested_fen)s，且不超过可退金额 %(refundable_fen)s。"),
    )
    AFTERSALE_WINDOW_CLOSED = (
        "aftersale_window_closed",
        _("这个订单的售后申请期已于 %(window_ends_at)s 结束，不能再申请售后。"),
    )
    UNKNOWN_ORDER_ITEM = "unknown_order_item", _("订单里没有商品 %(order_item_id)s。")
    DUPLICATE_CLAIM_LINE = "duplicate_claim_line", _("商品 %(order_item_id)s 在申请里出现了不止一次。")
    INVALID_CLAIM_LINE = "invalid_claim_line", _("每件申请的商品，数量和金额都须大于零。")
    CLAIM_EXCEEDS_LINE = (
        "claim_exceeds_line",
        _("“%(title)s”最多还能申请 %(refundable_quantity)s 件、%(refundable_fen)s。"),
    )
    AMOUNT_NOT_LINES_TOTAL = (
        "amount_not_lines_total",
        _("申请金额 %(amount_fen)s 与所选商品金额合计 %(lines_fen)s 不一致。"),
    )
    AMOUNT_EXCEEDS_REFUNDABLE = "amount_exceeds_refundable", _("申请金额不能超过订单可退金额 %(refundable_fen)s。")
    REFUND_EXCEEDS_REFUNDABLE = "refund_exceeds_refundable", _("订单可退金额不足，最多还能退 %(refundable_fen)s。")
    ALREADY_REFUNDED = "already_refunded", _("这笔售后已经退款，不会重复退款。")
    REFUND_NOT_FAILED = "refund_not_failed", _("这笔退款已不是失败状态，无需重新退款。")
    NO_OPEN_OFFER = "no_open_offer", _("当前没有待回复的部分退款方案。")
    OFFER_NOT_OPEN = "offer_not_open", _("这个方案已失效或已被回复。")
    INVALID_OFFER_AMOUNT = (
        "invalid_offer_amount",
        _("部分退款金额须大于 ¥0.00、小于申请金额 %(requested_fen)s，且不超过可退金额 %(refundable_fen)s。"),
    )
    INVALID_PARTY = "invalid_party", _("请选择要求哪一方补充凭证。")
    INVALID_DUE_HOURS = "invalid_due_hours", _("补充凭证时限须在 1 到 %(max_hours)s 小时之间。")
    INVALID_OUTCOME = "invalid_outcome", _("请选择判责结果。")
    INVALID_LIABLE = "invalid_liable", _("请选择责任方。")
    INVALID_STATUS = "invalid_status", _("没有这个售后状态：%(status)s。")
    INVALID_QUICK_FILTER = "invalid_quick_filter", _("没有这个快捷筛选：%(quick)s。")
    INVALID_CLAIMED_FILTER = "invalid_claimed_filter", _("认领筛选只能是 me、none 或 others，不能是 %(claimed)s。")
    INVALID_AGE_FILTER = "invalid_age_filter", _("等待时长须在 0 到 %(max_hours)s 小时之间。")
    INVALID_CURSOR = "invalid_cursor", _("翻页链接已失效，请从第一页重新查看。")
    Q_TOO_LONG = "q_too_long", _("搜索内容不能超过 %(max_chars)s 个字。")
    INVALID_ORDERING = "invalid_ordering", _("不能按 %(ordering)s 排序。")
    # 422: each date is valid, the range they make is not (so an empty list would be a lie).
    INVALID_DATE_RANGE = "invalid_date_range", _("申请时间的开始不能晚于结束，请重新选择时间范围。")
    FILE_STORE_UNAVAILABLE = "file_store_unavailable", _("文件存储暂时不可用，没有保存任何内容，请稍后再试。")

    # CS tools (actions.cs_tools).
    CASE_CLAIMED = "case_claimed", _("这个纠纷已由%(claimed_by)s于 %(claimed_at)s 认领，请联系该客服或等待释放。")
    CASE_NOT_CLAIMED = "case_not_claimed", _("这个纠纷还没有客服认领。")
    INVALID_EXTEND_HOURS = (
        "invalid_extend_hours",
        _("延长时间须在 1 到 %(max_hours)s 小时之间，期限只能延后，不能提前。"),
    )
    REASON_CODE_REQUIRED = (
        "reason_code_required",
        _("判责结果与责任方不一致（%(outcome_label)s、%(liable_label)s），请选择原因。"),
    )
    INVALID_REASON_CODE = "invalid_reason_code", _("判责结果与责任方一致时不需要填写原因；原因须从列表中选择。")

    # Appeals (售后申诉, actions.appeals).
    NOT_APPEALABLE = "appeal_not_allowed", _("这个售后单没有可申诉的平台判责。")
    RULING_NOT_AGAINST_YOU = "appeal_not_allowed:not_against_you", _("平台判责没有判您不利，无需申诉。")
    ALREADY_APPEALED = "already_appealed", _("这个售后单已经申诉过一次，每个售后单只能申诉一次。")
    APPEAL_WINDOW_CLOSED = "appeal_window_closed", _("申诉期已于 %(window_ends_at)s 结束，不能再申诉。")
    NO_PENDING_APPEAL = "no_pending_appeal", _("这个售后单没有待复核的申诉。")
    SAME_AGENT_RULED = "same_agent_ruled", _("申诉须由作出判责以外的另一位客服复核。")
    INVALID_DECISION = "invalid_decision", _("请选择维持原判或改判。")
    OVERTURN_SAME_AS_RULING = "overturn_same_as_ruling", _("改判的结果和责任方与原判相同，请选择维持原判。")
    INVALID_COMPENSATION = (
        "invalid_compensation",
        _("补偿金额须在 ¥0.00 到 %(max_fen)s 之间：只有改判对商家有利、买家保留的退款才可补偿。"),
    )
    NO_COMPENSATION_WALLET = "no_compensation_wallet", _("商家还没有开通安心钱包，无法发放补偿。")

    # Texts: empty_<field> and <field>_too_long (actions.opening.check_text, files.check_statement).
    EMPTY_STATEMENT = "empty_statement", _("请填写举证说明（最多 %(limit_chars)s 字），说明您的凭证证明了什么。")
    STATEMENT_TOO_LONG = "statement_too_long", _("举证说明有 %(length)s 字，超过了 %(limit_chars)s 字的上限。")
    EMPTY_REASON = "empty_reason", _("请填写原因。")
    REASON_TOO_LONG = "reason_too_long", _("原因不能超过 %(max_chars)s 字。")
    EMPTY_BODY = "empty_body", _("请填写留言内容。")
    BODY_TOO_LONG = "body_too_long", _("留言内容不能超过 %(max_chars)s 字。")
    EMPTY_NOTE = "empty_note", _("请填写说明。")
    NOTE_TOO_LONG = "note_too_long", _("说明不能超过 %(max_chars)s 字。")
    EMPTY_CARRIER = "empty_carrier", _("请填写物流公司。")
    CARRIER_TOO_LONG = "carrier_too_long", _("物流公司不能超过 %(max_chars)s 字。")
    EMPTY_TRACKING_NO = "empty_tracking_no", _("请填写物流单号。")
    TRACKING_NO_TOO_LONG = "tracking_no_too_long", _("物流单号不能超过 %(max_chars)s 字。")
    EMPTY_DESCRIPTION = "empty_description", _("请填写问题描述。")
    DESCRIPTION_TOO_LONG = "description_too_long", _("问题描述不能超过 %(max_chars)s 字。")

    # Files (files.py): what was refused and the limit it broke.
    TOO_MANY_FILES = "too_many_files", _("最多上传 %(limit_files)s 个文件，本次选择了 %(count)s 个。")
    FILES_REQUIRED = "files_required", _("请至少上传一个文件（最多 %(limit_files)s 个）。")
    FILE_TOO_LARGE = "file_too_large", _("文件“%(file)s”有 %(size_mb)s MB，超过了 %(limit_mb)s MB 的上限。")
    UNSUPPORTED_FILE_TYPE = (
        "unsupported_file_type",
        _(
            "文件“%(file)s”不是允许的类型：仅支持 JPEG、PNG、WebP 图片，MP4 视频和 PDF 文件（按文件内容判断，改扩展名无效）。"
        ),
    )
    EMPTY_FILE = "unsupported_file_type:empty", _("文件“%(file)s”是空的，请重新选择。")
    TOO_MANY_PIXELS = (
        "too_many_pixels",
        _(
            "加上图片“%(file)s”，本次提交的图片共 %(pixels)s 像素，超过每次 %(limit_pixels_per_submission)s 像素的上限"
            "（PNG 和 WebP 按两倍计算），请分几次提交。"
        ),
    )
    IMAGE_TOO_LARGE_IN_PIXELS = (
        "image_too_large_in_pixels",
        _("图片“%(file)s”像素过大（上限 %(limit_pixels)s 像素），请缩小后再上传。"),
    )
    CORRUPT_FILE = "corrupt_file", _("文件“%(file)s”已损坏，无法打开，请重新导出后上传。")
    UNSAFE_PDF = (
        "unsafe_pdf",
        _("PDF“%(file)s”包含脚本、自动动作、表单提交、非网页链接或内嵌文件（%(found)s），不能作为凭证上传。"),
    )
    ENCRYPTED_PDF = "encrypted_pdf", _("PDF“%(file)s”已加密或设有密码，请去掉密码后上传。")

    def params(self, details: dict) -> dict:
        shown = super().params(details)
        if "status" in details:
            shown["status_label"] = (
                Status(details["status"]).label if details["status"] in Status.values else details["status"]
            )
        for key, choices in (("outcome", Outcome), ("liable", Liable)):
            if details.get(key) in choices.values:
                shown[f"{key}_label"] = choices(details[key]).label
        for key, shown_as in (("size", "size_mb"), ("limit_bytes", "limit_mb")):
            if isinstance(details.get(key), int):
                shown[shown_as] = f"{details[key] / 2**20:.1f}".rstrip("0").rstrip(".")
        for key in ("pixels", "limit_pixels", "limit_pixels_per_submission"):
            if isinstance(details.get(key), int):
                shown[key] = f"{details[key]:,}"
        return shown


def text_code(field: str, problem: str) -> AfterSaleErrorCode:
    """empty_<field> or <field>_too_long, for the free-text fields above."""
    return AfterSaleErrorCode(f"empty_{field}" if problem == "empty" else f"{field}_too_long")
