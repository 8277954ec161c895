"""Fill sellerdesk/locale/en/LC_MESSAGES/django.po from the table below, then compile.

    .venv/bin/python manage.py makemessages -l en -i "payouts/*" -i "testing/*"   (run inside sellerdesk/)
    .venv/bin/python sellerdesk/locale/translate_en.py
    .venv/bin/python manage.py compilemessages

Only empty msgstr are filled, so hand edits in the .po file are kept.
"""
import re
from pathlib import Path

EN = {
    # states, types, parties, dispute, outcomes, history kinds (models/enums.py)
    "待商家处理": "Awaiting merchant", "待买家退货": "Awaiting return", "待商家收货": "Awaiting receipt",
    "商家已拒绝": "Rejected by merchant", "待商家提供凭证": "Awaiting merchant evidence",
    "平台处理中": "Platform reviewing", "待补充凭证": "Awaiting supplementary evidence", "退款成功": "Refunded",
    "售后关闭": "Closed", "已撤销": "Withdrawn", "仅退款": "Refund only", "退货退款": "Return and refund",
    "买家": "Buyer", "商家": "Merchant", "平台客服": "Platform CS", "系统": "System",
    "待商家举证": "Awaiting merchant evidence", "纠纷完成": "Dispute completed", "纠纷取消": "Dispute cancelled",
    "全额退款": "Full refund", "部分退款": "Partial refund", "不退款": "No refund", "商家责任": "Merchant liable",
    "买家责任": "Buyer liable", "无责": "No one liable", "买家申请售后": "Buyer opened the request",
    "商家同意售后": "Merchant agreed", "商家超时未处理,系统同意": "Merchant did not answer in time; approved by the system",
    "商家拒绝售后": "Merchant rejected the request", "买家已退货": "Buyer shipped the goods back",
    "买家超时未退货,售后关闭": "Buyer did not return the goods in time; closed",
    "商家确认收货": "Merchant confirmed receipt",
    "商家超时未收货,系统确认收货": "Merchant did not confirm receipt in time; confirmed by the system",
    "商家拒绝收货": "Merchant refused the returned goods",
    "买家未申请平台介入,售后关闭": "Buyer did not request platform intervention; closed",
    "买家申请平台介入": "Buyer requested platform intervention", "提交凭证": "Submit evidence",
    "商家超时未举证": "Merchant timed out (no evidence)", "平台要求补充凭证": "Platform asked for more evidence",
    "补充凭证超时": "Supplementary evidence timed out", "留言": "Message",
    "商家提出部分退款方案": "Merchant offered a partial refund", "买家接受方案": "Buyer accepted the offer",
    "买家拒绝方案": "Buyer declined the offer", "买家撤销申请": "Buyer withdrew the request", "平台判责": "Platform ruling",
    "双方与平台": "Both parties and the platform", "仅平台": "Platform only",
    # action labels (states.ACTION_LABELS)
    "同意售后": "Agree to request", "拒绝售后": "Reject request", "填写退货物流": "Enter return shipment",
    "确认收货": "Confirm receipt", "拒绝收货": "Refuse returned goods", "申请平台介入": "Request platform intervention",
    "提出部分退款": "Offer partial refund", "接受方案": "Accept offer", "拒绝方案": "Decline offer",
    "撤销申请": "Withdraw request", "要求补充凭证": "Ask for more evidence", "判责": "Rule",
    # roles and subjects
    "消费者": "Buyer", "分销者": "Distributor", "平台系统": "Platform system", "平台管理员": "Platform admin",
    "个人": "Individual", "个体工商户": "Individual business", "企业": "Enterprise",
    # actions card and dialogs
    "操作": "Actions",
    "商家提出部分退款 %(amount)s(%(at)s),等待买家回复。": "The merchant offered a partial refund of %(amount)s (%(at)s); waiting for the buyer.",
    "当前由对方或平台处理,暂时不需要您操作。您仍可以在下方留言。": "The other party or the platform acts next; nothing to do for now. You can still send a message below.",
    "售后已结束,没有可进行的操作。": "This request is finished; there is nothing left to do.",
    "可在 %(t)s 前申请平台介入,逾期售后关闭。": "You can request platform intervention until %(t)s; after that the request closes.",
    "确认同意售后?": "Agree to this request?", "关闭": "Close",
    "同意后买家需退回商品,您确认收货后退款 %(amount)s。": "The buyer will return the goods; %(amount)s is refunded once you confirm receipt.",
    "同意后将立即向买家退款 %(amount)s,此操作不可撤回。": "%(amount)s will be refunded to the buyer at once. This cannot be undone.",
    "纠纷期间同意售后,纠纷单完成,不会判定商家责任。": "Agreeing during a dispute completes it; the merchant is not held liable.",
    "取消": "Cancel", "确认同意": "Agree", "拒绝原因": "Reason for rejecting",
    "买家会看到这个原因;被拒绝后,买家可以申请平台介入。": "The buyer sees this reason and can then request platform intervention.",
    "确认拒绝": "Reject", "退款金额(元)": "Refund amount (¥)",
    "须大于 ¥0.00、小于申请金额 %(req)s。买家接受后立即退款,纠纷完成。": "More than ¥0.00 and less than the requested %(req)s. If the buyer accepts, the refund is made and the dispute completes.",
    "说明(选填)": "Note (optional)", "发送方案": "Send offer",
    "申请后进入纠纷协商期:商家有24小时提交举证,之后由平台客服判责。期间您可以随时撤销申请。": "This opens the dispute negotiation period: the merchant has 24 hours to submit evidence, then platform CS rules. You can withdraw at any time.",
    "介入原因": "Reason for intervention", "提交申请": "Submit", "物流公司": "Carrier", "物流单号": "Tracking no.",
    "提交": "Submit", "确认撤销申请?": "Withdraw this request?",
    "撤销后本次售后申请结束,不会退款。": "Withdrawing ends this request without a refund.",
    "纠纷将取消,平台不会判责。": "The dispute is cancelled and the platform makes no ruling.",
    "再想想": "Keep it", "确认撤销": "Withdraw",
    # dispute box
    "纠纷协商期": "Dispute negotiation period", "纠纷发起": "Dispute opened", "纠纷进度": "Dispute progress",
    "商家举证(24小时)": "Merchant evidence (24 h)", "平台客服判责": "Platform CS rules", "举证截止": "Evidence due",
    "商家举证时间": "Evidence submitted", "完成时间": "Completed",
    "平台客服要求%(p)s补充凭证": "Platform CS asked the %(p)s for more evidence",
    "买家申请平台介入后,商家有24小时提交举证信息。若商家同意售后申请,纠纷单完成;若商家举证或超时未举证,则流转到平台客服处理,由平台判责。建议主动联系消费者友好协商,降低纠纷判责的风险;如无法达成一致,请补充相关凭证。买家取消的订单,平台不会判责处理,您可放心提交举证。":
        "After the buyer requests platform intervention, the merchant has 24 hours to submit evidence. If the merchant agrees to the request, the dispute completes; if the merchant submits evidence or the 24 hours pass, platform CS takes over and rules. Contact the buyer and negotiate to lower the risk of a ruling against you; if you cannot agree, add supporting evidence. When the buyer cancels, the platform makes no ruling, so submitting evidence is safe.",
    "平台已介入。商家有24小时提交举证;商家举证或超时后,平台客服会判责。在此期间您可以和商家协商,协商一致可随时撤销申请。":
        "The platform has stepped in. The merchant has 24 hours to submit evidence; then platform CS rules. Meanwhile you can negotiate with the merchant and withdraw the request at any time.",
    "双方凭证": "Evidence from both sides", "商家在24小时内未提交举证。": "The merchant submitted no evidence within 24 hours.",
    "还没有提交凭证。": "No evidence yet.",
    # evidence dialog
    "请填写举证说明,说明您的凭证证明了什么。": "Write a statement saying what your evidence shows.",
    "举证说明不能超过 %(n)s 字。": "The statement may have at most %(n)s characters.",
    "最多上传 {n} 个文件,您选择了 {count} 个。": "At most {n} files; you chose {count}.",
    "文件“{name}”有 {mb} MB,超过大小上限(图片和 PDF 每个最大 %(img)s MB,MP4 视频最大 %(video)s MB)。": "\"{name}\" is {mb} MB, over the size limit (images and PDFs up to %(img)s MB each, MP4 video up to %(video)s MB).",
    "文件“{name}”不是允许的类型:仅支持 JPEG、PNG、WebP 图片,MP4 视频和 PDF 文件。": "\"{name}\" is not an allowed type: only JPEG, PNG and WebP images, MP4 video and PDF files.",
    "请上传能证明您处理合理的有效凭证,平台客服将据此判责:": "Upload valid evidence that shows you handled the order properly; platform CS rules on it:",
    "发货凭证:发货前商品实拍、打包视频、物流签收记录;": "Shipping: photos of the goods before shipping, packing video, delivery receipt;",
    "沟通凭证:与买家协商的聊天截图;": "Communication: screenshots of your chat with the buyer;",
    "商品凭证:质检报告、商品详情页截图等。": "Product: inspection reports, screenshots of the product page, etc.",
    "最多 %(n)s 个文件;JPEG、PNG、WebP 图片和 PDF 每个不超过 %(img)s MB,MP4 视频不超过 %(video)s MB。文件类型按内容检查,改扩展名无效;图片会去除拍摄位置等元数据。":
        "Up to %(n)s files; JPEG, PNG, WebP images and PDFs up to %(img)s MB each, MP4 video up to %(video)s MB. Types are checked by content, so renaming a file does not help; location and other metadata are removed from images.",
    "举证说明": "Statement",
    "说明您的凭证证明了什么,例如:商品发货前已质检,附打包视频与物流签收记录。": "What your evidence shows, e.g. the goods were inspected before shipping; packing video and delivery receipt attached.",
    "上传凭证": "Evidence files", "出于安全原因,重新提交时需要再次选择文件。": "For your safety, choose the files again when you resubmit.",
    "可从电脑或手机相册选择。": "Choose from your computer or your phone's photos.", "提交中…": "Submitting…",
    "确认提交": "Submit", "文件“{name}”有 {mb} MB,超过大小上限。": "\"{name}\" is {mb} MB, over the size limit.",
    "和对方协商,例如说明处理方案;双方和平台客服都能看到。": "Negotiate, e.g. propose a solution; both parties and platform CS can read it.",
    "图片": "Pictures", "发送留言": "Send message",
    # summary
    "售后申请": "After-sales request", "售后类型": "Type", "申请退款金额": "Requested refund", "申请原因": "Reason",
    "问题描述": "Description", "申请时间": "Requested at", "商家拒绝原因": "Merchant's reason for rejecting",
    "退货物流": "Return shipment", "已退款": "Refunded", "订单号": "Order no.", "店铺": "Shop", "实付金额": "Paid",
    "已退金额": "Already refunded", "支付时间": "Paid at", "商品": "Items", "买家上传的图片": "Buyer's photos",
    # buyer
    "售后详情": "Request details", "我的售后": "My requests", "我的订单": "My orders", "协商历史": "Negotiation history",
    "申请售后": "Request after-sales", "最多可退 %(max)s": "Up to %(max)s can be refunded", "请选择": "Choose…",
    "描述遇到的问题,便于商家快速处理": "Describe the problem so the merchant can handle it quickly",
    "上传图片": "Photos", "最多 %(n)s 个,每个不超过 %(mb)s MB": "Up to %(n)s, %(mb)s MB each",
    "订单信息": "Order", "可退金额": "Refundable",
    "对已支付的订单可以申请售后;每个订单同一时间只能有一个进行中的售后申请。": "You can request after-sales on a paid order; one open request per order at a time.",
    "实付": "Paid", "售后": "After-sales", "查看售后": "View request", "上次售后": "Last request",
    "还没有订单": "No orders yet", "下单支付后,订单会出现在这里,您可以对它申请售后。": "Paid orders appear here; you can request after-sales on them.",
    # CS
    "纠纷处理": "Dispute case", "待判责纠纷": "Disputes to rule", "判责结果": "Outcome",
    "部分退款金额(元)": "Partial refund amount (¥)",
    "仅“部分退款”时填写,须小于申请金额 %(req)s;全额退款按申请金额退款。": "Only for a partial refund, below the requested %(req)s; a full refund pays the requested amount.",
    "责任方": "Liable party", "判定商家责任计入商家纠纷商责率。": "A merchant-liable ruling counts toward the shop's merchant-liability rate.",
    "判责理由": "Reason", "提交判责": "Submit ruling", "要求哪一方": "Ask whom", "需要补充什么": "What is needed",
    "时限(小时)": "Deadline (hours)", "发送要求": "Send request", "纠纷已结束。": "The dispute is over.",
    "等待当事方操作,暂时不需要平台处理。": "Waiting for a party to act; nothing for the platform to do yet.",
    "共 %(n)s 件待平台处理,最早进入的排在最前;另有 %(m)s 件仍在商家举证期。": "%(n)s waiting for the platform, oldest first; %(m)s more are still in the merchant's evidence period.",
    "售后单号": "Request no.", "申请金额": "Requested", "状态": "Status", "举证情况": "Evidence",
    "进入平台处理": "Reached the platform", "已等待": "Waiting", "商家已举证": "Merchant submitted evidence", "处理": "Handle",
    "仅显示最早的 %(limit)s 件;处理完后刷新查看更多。": "Only the oldest %(limit)s are shown; refresh after handling them to see more.",
    "没有待判责的纠纷": "No disputes to rule on",
    "商家提交举证或超时未举证后,纠纷会进入这里。": "Disputes arrive here once the merchant submits evidence or lets the 24 hours pass.",
    # history, merchant pages
    "协商历史页": "Negotiation history", "售后工作台": "After-sales workbench", "售后工作台首页": "After-sales workbench",
    "售后单查询页": "Find requests", "退款详情页": "Refund details", "返回退款详情": "Back to refund details",
    "双方协商过程(按时间先后)": "The negotiation, oldest first", "退款详情": "Refund details", "返回": "Back",
    "等待商家上传举证": "Waiting for the merchant's evidence",
    "请在倒计时结束前提交举证或同意售后;超时未举证,平台客服将直接介入判责。建议先与买家友好协商。": "Submit evidence or agree before the countdown ends; without evidence, platform CS rules directly. Try negotiating with the buyer first.",
    "退款信息": "Refund", "退款金额": "Refund amount",
    "已向买家提出部分退款 %(amount)s,等待买家回复。": "You offered a partial refund of %(amount)s; waiting for the buyer.",
    "协商": "Negotiation", "查看协商历史": "View negotiation history", "电脑端": "Desktop", "工作台": "Workbench",
    "商家后台": "Seller app", "订单分类": "Order tabs", "全部订单": "All orders", "等待退款": "Awaiting refund",
    "订单": "Order", "举证倒计时": "Evidence countdown", "去举证": "Submit evidence",
    "没有等待退款的订单": "No orders awaiting refund",
    "买家申请售后或平台介入后,需要您处理的订单会出现在这里。": "Orders that need you appear here when a buyer requests after-sales or platform intervention.",
    "售后中": "After-sales", "加载更多": "Load more", "最近:%(kind)s(%(at)s)": "Latest: %(kind)s (%(at)s)",
    "售后单查询": "Find requests", "快捷筛选": "Quick filters", "售后状态": "Status", "全部状态": "All statuses",
    "订单号 / 售后单号 / 买家": "Order no. / request no. / buyer",
    "输入完整的订单号、售后单号或买家账号": "Full order no., request no. or buyer account",
    "申请时间 从": "Requested from", "至": "to", "重置": "Reset", "筛选": "Filter", "售后单管理页": "Requests",
    "时间为北京时间": "Times are Beijing time", "售后单号 / 订单号": "Request no. / order no.",
    "没有符合条件的售后单": "No requests match",
    "换一个快捷筛选或售后状态,或清空搜索与日期后点击“筛选”。": "Pick another quick filter or status, or clear the search and dates, then click Filter.",
    "还没有售后单": "No requests yet", "买家对已支付订单申请售后后,售后单会出现在这里。": "Requests appear here when buyers ask for after-sales on paid orders.",
    "数据更新于 %(t)s(北京时间)": "Updated %(t)s (Beijing time)", "全部": "All", "待处理": "To handle",
    "举证即将超时": "Evidence due soon",
    "待商家处理、待商家收货": "Awaiting merchant or receipt", "纠纷待处理": "Disputes pending",
    "需要您提交凭证或同意售后": "Submit evidence or agree", "%(h)s 小时内举证到期": "Evidence due within %(h)s h",
    "超时未举证将由平台直接判责": "Without evidence the platform rules directly",
    "纠纷商责率(近30天)": "Merchant-liability rate (30 days)", "商责判定 %(a)s ÷ 支付订单 %(b)s": "%(a)s merchant-liable rulings ÷ %(b)s paid orders",
    "查看全部": "View all", "没有待处理的纠纷": "No disputes pending",
    "买家申请平台介入后,纠纷单会出现在这里;您有 24 小时提交举证。": "Disputes appear here when a buyer requests platform intervention; you have 24 hours to submit evidence.",
    "售后单状态": "Requests by status", "近30天纠纷数据": "Disputes, last 30 days", "统计区间": "Period",
    "发起纠纷": "Disputes opened", "判定商家责任": "Merchant liable", "支付订单数": "Paid orders",
    "纠纷商责率": "Merchant-liability rate",
    "买家取消的纠纷不计入统计,平台不会判责。在举证环节主动与买家友好协商、补充有效凭证,可以降低纠纷判责的风险。": "Disputes the buyer cancelled never count and get no ruling. Negotiating with the buyer and adding valid evidence during the evidence period lowers the risk of a ruling against you.",
    "剩余时间": "Time left", "商家处理剩余时间": "Merchant must answer in", "买家退货剩余时间": "Buyer must ship back in",
    "商家收货剩余时间": "Merchant must confirm receipt in", "申请平台介入剩余时间": "Intervention can be requested for",
    "补充凭证倒计时": "Supplementary evidence countdown",
    # view messages and refusals
    "这个页面不属于您的角色。": "This page is not for your role.", "售后单不存在。": "After-sales request not found.",
    "请填写举证说明(最多 %(n)s 字),说明您的凭证证明了什么。": "Write a statement (up to %(n)s characters) saying what your evidence shows.",
    "举证说明有 %(len)s 字,超过了 %(n)s 字的上限。": "The statement has %(len)s characters, over the limit of %(n)s.",
    "最多上传 %(n)s 个文件,本次选择了 %(count)s 个。": "At most %(n)s files; you sent %(count)s.",
    "请至少上传一个文件。": "Upload at least one file.",
    "文件“%(file)s”超过大小上限(图片和 PDF 每个最大 %(img)s MB,MP4 视频最大 %(video)s MB)。": "\"%(file)s\" is over the size limit (images and PDFs up to %(img)s MB each, MP4 video up to %(video)s MB).",
    "文件“%(file)s”不是允许的类型:仅支持 JPEG、PNG、WebP 图片,MP4 视频和 PDF 文件(按文件内容判断,改扩展名无效)。": "\"%(file)s\" is not an allowed type: only JPEG, PNG and WebP images, MP4 video and PDF files (judged by content; renaming does not help).",
    "图片“%(file)s”像素过大(上限 4000 万像素),请缩小后再上传。": "The image \"%(file)s\" has too many pixels (limit 40 million); shrink it and try again.",
    "图片“%(file)s”已损坏,无法打开,请重新导出后上传。": "The image \"%(file)s\" is damaged and cannot be opened; export it again.",
    "PDF“%(file)s”包含脚本、启动动作或内嵌文件,不能作为凭证上传。": "The PDF \"%(file)s\" contains scripts, launch actions or embedded files and cannot be used as evidence.",
    "该步骤已于 %(due)s 截止,不能再操作。": "The deadline for this step passed at %(due)s.",
    "售后单当前为“%(status)s”,不能进行这个操作。请刷新页面查看最新状态。": "The request is now \"%(status)s\", so this is not possible. Reload the page to see its current state.",
    "售后单刚刚被其他人更新,请刷新页面后重试。": "Someone else just changed this request; reload and try again.",
    "您的角色不能进行这个操作。": "Your role cannot do this.", "当前没有待回复的部分退款方案。": "There is no open offer to answer.",
    "这个方案已失效或已被回复。": "This offer is no longer open.",
    "部分退款金额须大于 ¥0.00、小于申请金额 %(req)s,且不超过可退金额 %(ref)s。": "A partial refund must be more than ¥0.00, less than the requested %(req)s and at most the refundable %(ref)s.",
    "金额不正确:部分退款须大于 ¥0.00 且小于申请金额 %(req)s。": "Wrong amount: a partial refund must be more than ¥0.00 and less than the requested %(req)s.",
    "请填写大于 ¥0.00 的金额。": "Enter an amount above ¥0.00.",
    "申请金额不能超过订单可退金额 %(ref)s。": "The amount cannot exceed the order's refundable %(ref)s.",
    "订单可退金额不足,最多还能退 %(ref)s。": "Not enough left to refund on the order: at most %(ref)s.",
    "这笔售后已经退款,不会重复退款。": "This request has already been refunded; it is never refunded twice.",
    "这个订单已有进行中的售后申请。": "This order already has an open request.",
    "补充凭证时限须在 1 到 %(n)s 小时之间。": "The deadline must be between 1 and %(n)s hours.",
    "请选择要求哪一方补充凭证。": "Choose who should add evidence.", "请选择判责结果。": "Choose an outcome.",
    "请选择责任方。": "Choose the liable party.", "请选择售后类型。": "Choose a type.",
    "原因": "a reason", "留言内容": "a message", "说明": "a note",
    "请填写%(field)s。": "Please enter %(field)s.", "%(field)s不能超过 %(n)s 字。": "%(field)s may have at most %(n)s characters.",
    "请输入金额,例如 12.50。": "Enter an amount, e.g. 12.50.", "金额须大于 0,最多两位小数,例如 12.50。": "The amount must be above 0 with at most two decimals, e.g. 12.50.",
    "已同意售后。": "Agreed to the request.", "已拒绝售后申请。": "Request rejected.",
    "已确认收货,退款已发起。": "Receipt confirmed; refund made.", "已拒绝收货。": "Returned goods refused.",
    "退货物流已提交。": "Return shipment sent.", "已申请平台介入,纠纷协商期开始。": "Platform intervention requested; the negotiation period has begun.",
    "凭证已提交,平台客服将尽快处理。": "Evidence submitted; platform CS will handle it soon.", "留言已发送。": "Message sent.",
    "部分退款方案已发送给买家。": "Partial-refund offer sent to the buyer.", "方案不存在。": "Offer not found.",
    "已接受方案,退款已发起。": "Offer accepted; refund made.", "已拒绝方案。": "Offer declined.",
    "售后申请已撤销。": "Request withdrawn.", "时限请填写整数小时。": "Enter the deadline as whole hours.",
    "已要求补充凭证。": "Asked for more evidence.", "判责完成。": "Ruling made.", "未知的操作。": "Unknown action.",
    "订单不存在。": "Order not found.", "售后申请已提交,等待商家处理。": "Request submitted; waiting for the merchant.",
    "商品与描述不符": "Not as described", "质量问题": "Quality problem", "少件/漏发": "Missing items",
    "收到商品破损": "Arrived damaged", "七天无理由退货": "7-day no-reason return", "其他": "Other",
    "%(d)s天%(h)s小时": "%(d)s d %(h)s h", "%(h)s小时%(m)s分": "%(h)s h %(m)s min", "%(m)s分钟": "%(m)s min",
    # identity, layout
    "首页": "Home", "您好,%(name)s": "Hello, %(name)s", "在账户中心查看达人钱包,管理提现银行卡。": "Open the account centre to see your wallets and manage withdrawal cards.",
    "进入账户中心": "Open the account centre",
    "您的角色在这里没有日常页面。如需处理售后或纠纷,请使用商家、消费者或平台客服账号登录。": "Your role has no daily pages here. To handle after-sales or disputes, log in as a merchant, buyer or platform CS.",
    "登录": "Log in", "商家售后工作台 · 纠纷协商 · 平台客服": "After-sales workbench · dispute negotiation · platform CS",
    "用户名或密码不正确;连续失败多次后需等待 15 分钟再试。": "Wrong user name or password; after several failures, wait 15 minutes.",
    "用户名": "User name", "密码": "Password", "时间均为北京时间": "All times are Beijing time",
    "没有权限": "Not allowed", "这个页面不属于您的角色。如需访问,请使用对应角色的账号登录。": "This page is not for your role. Log in with an account of the right role.",
    "返回首页": "Back to home", "页面不存在": "Page not found",
    "您要找的页面不存在,或者不属于您的店铺或账号。请检查链接,或从导航重新进入。": "The page does not exist or does not belong to your shop or account. Check the link or start again from the navigation.",
    "已超时": "Overdue", "天": "d", "剩余": "left", "导航": "Navigation", "手机端商家后台": "Seller app (phone)",
    "账户资金": "Funds", "账户中心": "Account centre", "佣金收入": "Commission", "退出登录": "Log out", "截止": "due",
    "金额": "Amount", "还没有协商记录": "No negotiation yet", "语言": "Language", "切换": "Switch", "翻页": "Pages",
    "回到第一页": "First page", "下一页": "Next page",
}


def _po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def fill(path: Path) -> tuple[int, list[str]]:
    src = path.read_text(encoding="utf-8")
    missing, filled = [], 0

    def repl(m):
        nonlocal filled
        raw = m.group(1)
        msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', raw)).replace('\\"', '"').replace("\\\\", "\\")
        if not msgid:
            return m.group(0)
        if msgid not in EN:
            missing.append(msgid)
            return m.group(0)
        filled += 1
        return f'{raw}msgstr "{_po_escape(EN[msgid])}"\n'

    out = re.sub(r'(msgid (?:"(?:[^"\\]|\\.)*"\n)+)msgstr ""\n(?!")', repl, src)
    out = out.replace("#, fuzzy\n", "")
    path.write_text(out, encoding="utf-8")
    return filled, missing


if __name__ == "__main__":
    po = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "django.po"
    n, missing = fill(po)
    print(f"filled {n}; without an English text: {len(missing)}")
    for m in missing:
        print("  ", m)
