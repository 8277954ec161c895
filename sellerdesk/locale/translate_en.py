"""Fill sellerdesk/locale/en/LC_MESSAGES/django.po from the tables below, then compile.

    .venv/bin/python manage.py makemessages -l en --no-location      (from the project root; covers payouts)
    .venv/bin/python sellerdesk/locale/translate_en.py
    .venv/bin/python manage.py compilemessages

Only empty msgstr are filled, so hand edits in the .po file are kept. Fuzzy entries (msgmerge's guesses
from a similar msgid, e.g. 开户名 → "User name") are never trusted: their msgstr is emptied and filled
from the tables like a new entry. EN also covers msgids with a msgctxt (keyed by the msgid alone);
EN_PLURAL gives (singular, plural) for {% blocktrans count %} entries. KEEP_CHINESE lists msgids (without a
msgctxt) that are left untranslated on purpose.
"""
import re
from pathlib import Path

EN = {
    # shop owner and staff (payouts: 选择店铺, 子账号权限)
    "当前店铺": "Current shop", "主账号": "Owner", "子账号": "Staff", "切换店铺": "Switch shop",
    "子账号权限": "Staff permissions", "选择店铺": "Choose a shop",
    "您在多个店铺有账号。请选择本次在账户中心操作的店铺:提现账户和提现只对所选店铺的主体生效。":
        "You have accounts in several shops. Choose the shop you act for in the account centre: withdrawal accounts and withdrawals apply to that shop's entity only.",
    "可管理提现账户": "May manage withdrawal accounts",
    "“管理提现账户”权限:更换提现银行卡或支付宝账户、完成小额打款验证、取消更换、余额提现。主账号始终拥有此权限;子账号默认没有。":
        "The \"manage withdrawal accounts\" permission: change the withdrawal bank card or Alipay account, complete micro-deposit verification, cancel a change, withdraw. The owner always has it; staff do not by default.",
    "不可管理提现账户": "May not manage withdrawal accounts", "收回权限": "Revoke", "授予权限": "Grant",
    "本店铺还没有子账号。": "This shop has no staff accounts yet.",
    "您是本店铺的子账号,没有“管理提现账户”权限,不能更换提现账户或提现。请联系店铺主账号在“账户中心 → 子账号权限”中授权。":
        "You are staff of this shop without the \"manage withdrawal accounts\" permission, so you cannot change withdrawal accounts or withdraw. Ask the shop's owner to grant it under Account centre → Staff permissions.",
    "请选择一个店铺。": "Choose a shop.", "已切换到店铺:%(shop)s。": "Now acting for shop: %(shop)s.",
    "已授予 %(name)s “管理提现账户”权限。": "Granted %(name)s the \"manage withdrawal accounts\" permission.",
    "已收回 %(name)s 的“管理提现账户”权限。": "Revoked the \"manage withdrawal accounts\" permission from %(name)s.",
    "只有店铺主账号可以管理子账号权限。": "Only the shop's owner can manage staff permissions.",
    # step-up with an authenticator (identity/stepup.py, views_security.py, payouts/_step_up.html)
    "身份验证器验证码": "Authenticator code", "6位数字，或一个恢复码": "6 digits, or a recovery code",
    "或": "or",
    "打开身份验证器 App，输入 SellerDesk 当前显示的6位数字；手机不在身边时可输入一个恢复码（每个只能用一次）。":
        "Open your authenticator app and enter the 6 digits it shows for SellerDesk; without your phone, enter a recovery code (each works once).",
    "也可以改用身份验证器验证码：": "You can use an authenticator code instead: ",
    "去绑定身份验证器": "Set up an authenticator",
    "更换提现账户是高风险操作，请再次输入登录密码或身份验证器验证码（二选一），确认是本人操作。":
        "Changing the withdrawal account is a high-risk operation: enter your login password or an authenticator code to confirm it is you.",
    "提现是高风险操作，请再次输入登录密码或身份验证器验证码（二选一），确认是本人操作。":
        "A withdrawal is a high-risk operation: enter your login password or an authenticator code to confirm it is you.",
    "提现是高风险操作，请再次输入登录密码，确认是本人操作。":
        "A withdrawal is a high-risk operation: enter your login password again to confirm it is you.",
    "安全设置": "Security", "身份验证器": "Authenticator", "已绑定": "Set up",
    "更换提现账户和提现时，可用验证码代替登录密码": "Use a code instead of your password to change accounts and withdraw",
    "更换提现账户、提现等高风险操作需要再次验证身份。绑定身份验证器 App（如 Google Authenticator、Microsoft Authenticator、腾讯身份验证器）后，可以输入 App 上的6位验证码代替登录密码。":
        "High-risk operations such as changing the withdrawal account or withdrawing ask you to prove it is you again. With an authenticator app (Google Authenticator, Microsoft Authenticator, Tencent Authenticator…) you can enter its 6-digit code instead of your login password.",
    "剩余恢复码：%(n)s 个（每个只能使用一次）。": "Recovery codes left: %(n)s (each works once).",
    "解除绑定后，恢复码同时作废。请输入登录密码确认是本人操作。":
        "Removing the authenticator also voids the recovery codes. Enter your login password to confirm it is you.",
    "绑定身份验证器前，请输入登录密码确认是本人操作。": "Enter your login password to confirm it is you before setting up an authenticator.",
    "解除绑定": "Remove", "重新开始绑定": "Start again", "绑定身份验证器": "Set up an authenticator",
    "继续完成绑定": "Finish setting up",
    "第一步：用身份验证器 App 扫描二维码": "Step 1: scan the QR code with your authenticator app",
    "无法扫码时，在 App 中选择手动输入，填写下面的密钥（基于时间）：":
        "If you cannot scan it, choose manual entry in the app and type this key (time-based):",
    "第二步：输入 App 上显示的6位验证码": "Step 2: enter the 6-digit code the app shows",
    "验证通过后才完成绑定；验证码每30秒更新一次。": "The authenticator is set up once the code is accepted; codes change every 30 seconds.",
    "验证并绑定": "Verify and set up", "6位验证码": "6-digit code",
    "恢复码": "Recovery codes", "身份验证器已绑定。": "Your authenticator is set up.",
    "请立即保存这10个恢复码": "Save these 10 recovery codes now",
    "恢复码只显示这一次。手机不在身边时，可用一个恢复码代替验证码，每个只能使用一次。请抄写或打印后妥善保管，不要截图发给他人。":
        "The recovery codes are shown only this once. Without your phone, a recovery code replaces the authenticator code, once each. Write them down or print them and keep them safe; never send them to anyone.",
    "我已保存": "I have saved them",
    "已解除身份验证器绑定，恢复码同时作废。": "The authenticator was removed and its recovery codes voided.",
    "登录失败次数过多，请 %(retry_minutes)s 分钟后再试。": "Too many failed log-ins; try again in %(retry_minutes)s minutes.",
    # display names (aftersales/names.py)
    "买家%(n)s": "Buyer %(n)s", "平台客服 %(n)s": "Platform CS %(n)s",
    # notices (events/notices.py): rendered in the reader's language when read
    "新的售后申请 %(number)s": "New after-sales request %(number)s",
    "买家申请退款 %(amount)s，请在处理期限内同意或拒绝。": "The buyer asks for a refund of %(amount)s; agree or reject before the deadline.",
    "商家已同意售后 %(number)s": "The merchant agreed to request %(number)s",
    "商家同意了您的售后申请。": "The merchant agreed to your after-sales request.",
    "售后单 %(number)s 已自动同意": "Request %(number)s was approved automatically",
    "商家未在期限内处理，系统已同意售后申请。": "The merchant did not answer in time, so the system approved the request.",
    "商家拒绝了售后 %(number)s": "The merchant rejected request %(number)s",
    "拒绝原因：%(reason)s。如有异议，可以申请平台介入。": "Reason: %(reason)s. If you disagree, you can request platform intervention.",
    "买家已退货 %(number)s": "The buyer shipped the goods back (%(number)s)",
    "收到退货后请确认收货。": "Confirm receipt once the goods arrive.",
    "售后单 %(number)s 已关闭": "Request %(number)s is closed", "售后申请已关闭。": "The after-sales request is closed.",
    "买家已撤销售后 %(number)s": "The buyer withdrew request %(number)s",
    "买家撤销了申请，无需再处理。": "The buyer withdrew the request; nothing more to do.",
    "售后单 %(number)s 有新留言": "New message on request %(number)s", "请到协商历史查看。": "See the negotiation history.",
    "商家提出部分退款方案 %(number)s": "The merchant offers a partial refund (%(number)s)",
    "商家提出退款 %(amount)s，请接受或拒绝。": "The merchant offers a refund of %(amount)s; accept or decline it.",
    "买家接受了退款方案 %(number)s": "The buyer accepted your offer (%(number)s)",
    "将按方案金额 %(amount)s 退款。": "%(amount)s will be refunded as offered.",
    "买家拒绝了退款方案 %(number)s": "The buyer declined your offer (%(number)s)",
    "可以重新提出方案或等待平台处理。": "You can make a new offer or wait for the platform.",
    "买家申请平台介入 %(number)s": "The buyer requested platform intervention (%(number)s)",
    "纠纷协商期已开始：请在 %(evidence_due)s 前提交凭证或同意售后，超时未举证将由平台直接判责。":
        "The dispute negotiation period has started: submit evidence or agree before %(evidence_due)s. Without evidence by then, the platform rules directly.",
    "售后单 %(number)s 的凭证还有 %(hours_left)s 小时到期": "Evidence for request %(number)s is due in %(hours_left)s h",
    "请在 %(due)s 前提交凭证，超时未举证将由平台直接判责。": "Submit your evidence before %(due)s. Without evidence by then, the platform rules directly.",
    "对方已提交凭证 %(number)s": "The other party submitted evidence (%(number)s)",
    "平台客服将根据双方凭证判责。": "Platform customer service will rule on both parties' evidence.",
    "平台要求补充凭证 %(number)s": "The platform asks for more evidence (%(number)s)",
    "请在 %(due)s 前补充凭证。": "Add your evidence before %(due)s.",
    "商家超时未举证 %(number)s": "The merchant sent no evidence in time (%(number)s)",
    "纠纷已转平台客服处理。": "The dispute went to platform customer service.",
    "补充凭证已超时 %(number)s": "Supplementary evidence timed out (%(number)s)",
    "纠纷已完成 %(number)s": "Dispute completed (%(number)s)", "结果：%(outcome)s%(liable_text)s。": "Outcome: %(outcome)s%(liable_text)s.",
    "双方已达成一致": "agreed between the parties", "，%(liable)s": ", %(liable)s",
    "售后单 %(number)s 的判责已被申诉": "The ruling on request %(number)s was appealed",
    "平台将由另一位客服复核。": "Another platform agent will review it.",
    "申诉已处理 %(number)s": "Appeal decided (%(number)s)", "请到协商历史查看复核结果。": "See the negotiation history for the review.",
    "退款成功 %(number)s": "Refund paid (%(number)s)", "%(amount)s 已原路退回。": "%(amount)s went back to the original payment method.",
    "退款暂未成功 %(number)s": "Refund not paid yet (%(number)s)",
    "退款 %(amount)s 暂未成功，平台客服会跟进处理，无需重新申请。":
        "The refund of %(amount)s has not gone through yet. Platform customer service follows it up; there is no need to ask again.",
    "提现账户更换待验证": "Withdrawal-account change awaiting verification",
    "有人申请将%(channel_label)s的提现账户更换为 %(new_account)s，平台已向该账户小额打款，请在有效期内填写到账金额完成验证。如非本人操作，请立即修改密码并联系平台客服。":
        "Someone asked to change the %(channel_label)s withdrawal account to %(new_account)s. A small amount was sent to it; enter that amount before it expires to finish. If this was not you, change your password and contact platform customer service now.",
    "提现账户已更换": "Withdrawal account changed",
    "%(channel_label)s的提现账户已更换为 %(account)s%(previous_text)s。之后的提现将转入新账户，已发起的提现仍转入原账户。如非本人操作，请立即联系平台客服。":
        "The %(channel_label)s withdrawal account is now %(account)s%(previous_text)s. Later withdrawals go to the new account; withdrawals already made still go to the old one. If this was not you, contact platform customer service now.",
    "（原账户 %(previous)s）": " (was %(previous)s)",
    "提现账户更换未成功": "Withdrawal-account change failed",
    "更换为 %(new_account)s 的申请未通过验证（%(reason_label)s），原提现账户继续有效。":
        "The change to %(new_account)s was not verified (%(reason_label)s); the current withdrawal account stays.",
    "提现已到账": "Withdrawal paid", "%(amount)s 已转入 %(account)s。": "%(amount)s was paid to %(account)s.",
    "%(amount)s 未能转入 %(account)s，金额已退回余额。": "%(amount)s could not be paid to %(account)s; it is back in your balance.",
    "消息推送地址推送失败": "Webhook endpoint failing",
    "事件推送到 %(url)s 多次失败，已停止重试。请检查地址，然后在消息推送页重新发送。":
        "Deliveries to %(url)s failed again and again and are no longer retried. Check the endpoint, then resend them on the webhooks page.",
    # 站内信 (events/templates, base.html)
    "上一页": "Previous page", "第 %(n)s / %(m)s 页": "Page %(n)s of %(m)s",
    "消息通知": "Notifications", "新": "New", "暂无消息": "No notifications yet",
    "纠纷、举证到期和提现账户变更会在这里通知您。":
        "Disputes, evidence deadlines and withdrawal-account changes are announced here.",
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
    "操作太频繁，请 %(n)s 秒后再试。": "You are doing this too often; try again in %(n)s seconds.",
    "系统繁忙，请稍后再试。": "The system is busy; please try again shortly.",
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
    # ---------------------------------------------------------------- account centre (payouts)
    # wallets, withdrawal pages and buttons (payouts/table.py, models/enums.py)
    "安心钱包": "Anxin Wallet", "微信": "WeChat", "支付宝": "Alipay", "达人钱包": "Creator wallet",
    "商家余额提现": "Merchant balance withdrawal", "微信余额提现": "WeChat balance withdrawal",
    "支付宝余额提现": "Alipay balance withdrawal", "推广者余额提现": "Promoter balance withdrawal",
    "更换银行卡": "Change bank card", "更换账户": "Change account", "银行卡": "Bank card",
    "支付宝账号": "Alipay account", "提现银行卡": "Withdrawal bank card", "提现账户": "Withdrawal account",
    "待小额打款验证": "Awaiting micro-deposit verification", "已更换": "Changed", "验证失败": "Verification failed",
    "已取消": "Cancelled", "验证次数已用完": "No verification attempts left", "验证已过期": "Verification expired",
    "冷静期暂缓": "Held (cooling-off period)", "提现中": "Processing", "已到账": "Paid out", "提现失败": "Failed",
    # wallet badges (msgctxt "wallet badge")
    "安": "A", "微": "W", "支": "Ali", "达": "C",
    # the help article's notes (table.py, views.py)
    "仅支持更换与绑定主体一致的银行卡。": "You can only change to a bank card in the name of the bound entity.",
    "仅支持更换与绑定主体一致的支付宝账号(支付宝账号一般为电话/邮箱)。":
        "You can only change to an Alipay account in the name of the bound entity (an Alipay account is usually a phone number or e-mail address).",
    "如是对公账户的变更,需要进行小额打款验证。": "Changing to a corporate account requires micro-deposit verification.",
    "如是对公账户的变更则需要进行小额打款验证。": "Changing to a corporate account requires micro-deposit verification.",
    "如为对公账户则需要进行小额打款验证。": "A corporate account requires micro-deposit verification.",
    "请勿登陆微信商户后台操作修改,谨防修改错误引发收款停用,影响消费者付款。":
        "Do not make this change in the WeChat merchant back office: a wrong change there can suspend payment collection and stop customers from paying.",
    "请勿登陆微信商户后台操作修改,谨防修改错误引发收款停用,影响消费者付款":
        "Do not make this change in the WeChat merchant back office: a wrong change there can suspend payment collection and stop customers from paying",
    "请填写与商户名一致的支付宝账号(支付宝账号一般为电话/邮箱);若为企业主体没有对公支付宝,请先去支付宝注册。":
        "Enter an Alipay account in the merchant's name (usually a phone number or e-mail address); an enterprise without a corporate Alipay account must register one with Alipay first.",
    "请填写与商户名一致的支付宝账号(支付宝账号一般为电话/邮箱,若为企业主体没有对公支付宝,请先去支付宝注册)。":
        "Enter an Alipay account in the merchant's name (an Alipay account is usually a phone number or e-mail address; an enterprise without a corporate Alipay account must register one with Alipay first).",
    "支付渠道的货款提现至支付宝账号,所以提供修改提现支付宝账号的能力。":
        "Sales proceeds from this payment channel are withdrawn to an Alipay account, so the withdrawal Alipay account can be changed here.",
    "此时已完成资质填写与绑卡操作": "Your qualification details and bank card are already on file",
    "仅支持个体工商户和企业在此更换,个人的佣金会逐笔到账于微信零钱,不提现至银行卡,无此更换环节。":
        "Only individual businesses and enterprises can change it here. An individual's commission arrives order by order in WeChat Change and is never withdrawn to a bank card, so there is nothing to change.",
    "点击提现银行卡处右侧的小箭头,点击【更换银行卡】进行银行卡的变更,如是对公账户的变更则需要进行小额打款验证。":
        "Tap the small arrow to the right of the withdrawal bank card, then tap “Change bank card” to change the card. Changing to a corporate account requires micro-deposit verification.",
    "点击提现银行卡处右侧的小箭头,点击【更换银行卡】,输入银行卡信息,点击【确认绑定】即可。":
        "Tap the small arrow to the right of the withdrawal bank card, tap “Change bank card”, enter the card details and tap “Confirm and bind”.",
    "点击提现账户处右侧的小箭头,点击【更换账户】进行支付宝账号的变更。":
        "Tap the small arrow to the right of the withdrawal account, then tap “Change account” to change the Alipay account.",
    "点击提现银行卡处右侧的小箭头,点击【更换银行卡】进行银行卡的变更,如为对公账户则需要进行小额打款验证。":
        "Tap the small arrow to the right of the withdrawal bank card, then tap “Change bank card” to change the card. A corporate account requires micro-deposit verification.",
    "确认更换": "Confirm change", "确认绑定": "Confirm and bind",
    # why a wallet's account cannot be changed (table.availability)
    "您的账号没有这个钱包,无需设置提现账户。": "Your account has no such wallet, so there is no withdrawal account to set.",
    "账号尚未绑定经营主体(主体),暂不能设置提现账户。":
        "Your account is not yet bound to a business entity, so a withdrawal account cannot be set yet.",
    "完成资质填写与绑卡后才会开通安心钱包(达人钱包),目前没有可更换的提现银行卡。":
        "The Anxin Wallet (creator wallet) opens once you complete your qualification details and bind a bank card; there is no withdrawal bank card to change yet.",
    "个人的佣金会逐笔到账于微信零钱,不提现至银行卡,无此更换环节;仅个体工商户和企业可以更换微信提现银行卡。":
        "An individual's commission arrives order by order in WeChat Change and is never withdrawn to a bank card, so there is nothing to change; only individual businesses and enterprises can change the WeChat withdrawal bank card.",
    # layout, path, account centre, talent wallet
    "退出": "Log out", "路径": "Breadcrumb", "注意:": "Note: ", "卖家后台": "Seller centre", "账单管理": "Bills",
    "绑定主体": "Bound entity", "对公": "Corporate", "未绑定": "Not bound",
    "提现账户只能在本主体下更换,不支持更改主体。":
        "The withdrawal account can only be changed within this entity; the entity itself cannot be changed.",
    "安心钱包、微信的余额与提现银行卡": "Anxin Wallet and WeChat balances and withdrawal bank cards",
    "我的钱包": "My wallets", "查看钱包": "View wallet", "还没有钱包": "No wallets yet",
    "完成入驻并绑定主体后,钱包会出现在这里。": "Your wallets appear here once you finish onboarding and bind your entity.",
    "查看": "View",
    "暂无提现账户相关的通知。更换提现账户时,我们会在这里通知您。":
        "No notifications about withdrawal accounts yet. When you change a withdrawal account, you will be notified here.",
    "可提现余额": "Available to withdraw", "佣金到账": "Commission paid to", "佣金到账:%(to)s": "Commission paid to: %(to)s",
    "微信零钱（佣金逐笔到账）": "WeChat Change (commission paid order by order)",
    # wallet page
    "余额提现": "Balance withdrawal", "提现到 %(account)s": "Withdraw to %(account)s", "最近提现": "Recent withdrawals",
    "转入 %(account)s": "To %(account)s",
    "新账户 %(account)s 验证通过前,提现仍转入当前账户。点此填写到账金额。":
        "Until the new account %(account)s is verified, withdrawals still go to the current account. Tap here to enter the amount received.",
    # change form (forms.py, change.html)
    "当前%(label)s": "%(label)s (current)",
    "新账户绑定成功前,提现仍转入当前账户。": "Until the new account is bound, withdrawals still go to the current account.",
    "去完成验证": "Complete verification",
    "须与绑定主体名称一致:个人填姓名,企业或个体工商户填营业执照上的名称。":
        "Must match the bound entity's name: an individual enters their own name; an enterprise or individual business enters the name on its business licence.",
    "更换提现账户是高风险操作,请再次输入登录密码确认是本人操作。":
        "Changing the withdrawal account is a high-risk operation. Enter your login password again to confirm it is you.",
    "登录密码": "Login password", "请再次输入登录密码": "Enter your login password again",
    "银行卡号 / 对公账号": "Bank card / corporate account number",
    "请输入新的银行卡号或对公账号": "New bank card or corporate account number", "开户名": "Account holder",
    "开户银行": "Bank", "例如:中国工商银行": "e.g. Industrial and Commercial Bank of China", "对公账户": "Corporate account",
    "手机号或邮箱": "Mobile number or e-mail address",
    "到账金额（元）": "Amount received (¥)", "提现金额（元）": "Withdrawal amount (¥)",
    "小额打款的金额在 ¥0.01 到 ¥9.99 之间，请按银行流水填写，例如 3.27。":
        "The micro-deposit is between ¥0.01 and ¥9.99; enter it as shown on the bank statement, e.g. 3.27.",
    "提现金额须大于 ¥0.00。": "The withdrawal amount must be more than ¥0.00.", "请填写金额。": "Enter an amount.",
    "金额格式不正确,请填写数字,最多两位小数,例如 0.37。":
        "The amount is not valid: enter a number with at most two decimals, e.g. 0.37.",
    "金额最多两位小数（精确到分）。": "The amount can have at most two decimals (to the fen).",
    "金额超出范围。": "The amount is out of range.",
    # micro-deposit verification (change_detail.html)
    "小额打款验证": "Micro-deposit verification", "更换记录": "Change record",
    "平台已向新账户小额打款": "The platform has sent a micro-deposit to the new account",
    "平台已向您的新对公账户": "The platform has sent your new corporate account",
    "平台已向您的新银行卡": "The platform has sent your new bank card",
    "API 令牌": "API tokens",
    "这一页的纠纷都已处理。": "Every dispute on this page has been handled.",
    "新令牌已创建": "New token created",
    "令牌只显示这一次，请立即复制到您的系统中。丢失后请撤销它并新建一个。":
        "The token is shown only this once: copy it into your system now. If it is lost, revoke it and make a new one.",
    "我的 API 令牌": "My API tokens",
    "ERP 等系统用令牌调用 SellerDesk API（请求头 Authorization: Bearer 令牌）。令牌有效期 %(days)s 天，到期或撤销后立即失效。":
        "Systems such as an ERP call the SellerDesk API with a token (header Authorization: Bearer <token>). "
        "A token works for %(days)s days and stops working at once when it expires or is revoked.",
    "名称": "Name",
    "令牌开头": "Starts with",
    "最近使用": "Last used",
    "到期时间": "Expires",
    "有效": "Active",
    "已过期": "Expired",
    "从未使用": "Never used",
    "撤销": "Revoke",
    "还没有 API 令牌": "No API tokens yet",
    "需要对接 ERP 时，在下方新建一个。": "Make one below when you connect an ERP.",
    "新建令牌": "New token",
    "用来区分不同系统，例如 ERP": "To tell your systems apart, e.g. ERP",
    "令牌 %(prefix)s… 已撤销，立即失效。": "Token %(prefix)s… revoked; it stopped working at once.",
    "已绑定身份验证器": "Authenticator app added",
    "已解除身份验证器": "Authenticator app removed",
    "您的账号已绑定身份验证器，更换提现账户和提现时可用验证码验证身份。如非本人操作，请立即修改密码并联系平台客服。":
        "An authenticator app was added to your account; its codes can now confirm account changes and "
        "withdrawals. If this was not you, change your password at once and contact platform customer service.",
    "您的账号已解除身份验证器，之后只能用登录密码验证身份。如非本人操作，请立即修改密码并联系平台客服。":
        "The authenticator app was removed from your account; from now on only your password confirms it is you. "
        "If this was not you, change your password at once and contact platform customer service.",
    "银行实名核验": "Bank real-name check",
    "支付宝实名校验": "Alipay real-name check",
    "银行无法核验这张卡的持卡人身份，为确认它属于本主体，需要小额打款验证。":
        "The bank could not confirm who holds this card, so a micro-deposit verification shows it belongs to this subject.",
    "打入一笔 ¥0.01–¥9.99 的小额款项。请在该账户的银行流水中查看到账金额，填写在下方完成验证。":
        "a small deposit of ¥0.01–¥9.99. Find the amount on that account's bank statement and enter it below to complete verification.",
    "验证通过前,原提现账户": "Until verification succeeds, the original withdrawal account",
    "继续有效,提现仍转入原账户。": "stays in force, and withdrawals still go to it.",
    "剩余次数": "Attempts left", "有效期至": "Valid until", "（北京时间）": " (Beijing time)",
    "按银行流水填写,例如到账 0.37 元就填 0.37。": "Enter the amount on the bank statement: if ¥0.37 arrived, enter 0.37.",
    "确认验证": "Verify", "查看银行流水（沙箱）": "View bank statement (sandbox)",
    "测试环境没有真实银行:到账记录在这里查看,如同在手机银行里查看。":
        "The test environment has no real bank: incoming payments are listed here, as they would be in your banking app.",
    "取消本次更换": "Cancel this change",
    "%(label)s已更换为 <strong class=\"num\">%(account)s</strong>。":
        "%(label)s changed to <strong class=\"num\">%(account)s</strong>.",
    "本次更换已取消,原提现账户": "This change was cancelled; the original withdrawal account",
    "继续有效。": "stays in force.", "验证未通过": "Verification failed",
    ",更换为 %(account)s 未成功。": "; the change to %(account)s did not go through. ",
    "原提现账户": "The original withdrawal account", "重新发起%(label)s": "%(label)s again",
    "返回%(title)s": "Back to %(title)s",
    # bank statement (sandbox)
    "银行流水（沙箱）": "Bank statement (sandbox)", "银行流水": "Bank statement",
    "沙箱环境:这里列出模拟银行/支付宝向您名下账户转入的款项,相当于您在手机银行里看到的收支明细。小额打款验证的金额在这里查看。":
        "Sandbox: this lists what the simulated bank or Alipay paid into accounts in your name, like the transaction history in your banking app. Look up the micro-deposit amount here.",
    "只显示尾号 %(last4)s 的账户": "Only the account ending in %(last4)s", "入账账户 %(account)s": "Credited to %(account)s",
    "暂无流水": "No transactions yet",
    "更换为对公账户后,平台的小额打款会出现在这里。": "After you change to a corporate account, the platform's micro-deposit appears here.",
    "返回填写到账金额": "Back to enter the amount received",
    # flash messages (views.py)
    "已提交提现 %(amount)s,转入 %(account)s。": "Withdrawal of %(amount)s submitted, to %(account)s.",
    "已有一笔待验证的更换,请先完成小额打款验证或取消它。":
        "A change is already awaiting verification; complete the micro-deposit verification or cancel it first.",
    "平台已向 %(account)s 小额打款,请查看到账金额完成验证。":
        "The platform has sent a micro-deposit to %(account)s; check the amount received to complete verification.",
    "%(label)s已更换为 %(account)s。": "%(label)s changed to %(account)s.",
    "这条更换已经结束,不能再验证。": "This change is over and can no longer be verified.",
    "小额打款验证通过,提现银行卡已更换为 %(account)s。":
        "Micro-deposit verified; the withdrawal bank card is now %(account)s.",
    "已取消本次更换,原提现账户继续有效。": "Change cancelled; the original withdrawal account stays in force.",
    # ---------------------------------------------------------------- 消息推送 (events: webhook pages)
    # nav, headings, list
    "账户设置": "Account settings", "消息推送": "Webhooks", "推送地址": "Endpoints", "推送地址详情": "Endpoint details",
    "售后、纠纷、退款和提现的事件发生后，SellerDesk 会把它签名后以 POST 推送到您的接收地址（Webhook），您的 ERP 或客服系统无需轮询。":
        "When something happens to an after-sales request, dispute, refund or withdrawal, SellerDesk signs the event and POSTs it to your URL (a webhook), so your ERP or support system need not poll.",
    "接收地址": "URL", "订阅事件": "Events", "创建时间": "Created", "查看推送记录": "View deliveries",
    "还没有推送地址": "No endpoints yet",
    "在下方添加一个接收地址，事件发生后会推送到那里。": "Add a URL below; events are sent there as they happen.",
    # statuses and delivery states (labels.py, msgctxt "webhook")
    "启用": "Enabled", "推送失败": "Failing", "已停用": "Disabled",
    "待发送": "Pending", "发送中": "Sending", "已成功": "Succeeded", "重试中": "Retrying", "已放弃": "Given up",
    "自 %(since)s 起，有推送多次重试后仍未成功，已放弃。新的事件仍会推送到这里；修复接收服务后，请在推送记录中重新发送。":
        "Since %(since)s a delivery has failed on every retry and was given up. New events are still sent here; once your receiver is fixed, resend the failed deliveries.",
    "%(at)s 停用，不再推送。": "Disabled at %(at)s; nothing more is sent.",
    # event types (labels.py, msgctxt "webhook")
    "全部事件": "All events", "纠纷": "Disputes", "退款": "Refunds", "提现账户与提现": "Withdrawal accounts and withdrawals",
    "超时自动同意售后": "Approved automatically (merchant did not answer)", "买家已寄回商品": "Buyer shipped the goods back",
    "售后已退款": "Request refunded", "售后已关闭": "Request closed", "买家撤销售后": "Buyer withdrew the request",
    "协商有新留言": "New message in the negotiation", "买家接受退款方案": "Buyer accepted the offer",
    "买家拒绝退款方案": "Buyer declined the offer", "一方已提交凭证": "Evidence submitted",
    "举证即将到期（剩 4 小时、1 小时）": "Evidence due soon (4 h, then 1 h left)", "超时未举证": "No evidence in time",
    "补充凭证已超时": "Supplementary evidence timed out", "纠纷已完成": "Dispute resolved", "纠纷已撤销": "Dispute cancelled",
    "判责被申诉": "Ruling appealed", "申诉已处理": "Appeal decided", "退款已到账": "Refund paid", "退款未成功": "Refund not paid",
    "申请更换提现账户": "Withdrawal-account change requested", "已申请提现": "Withdrawal requested",
    "提现未成功": "Withdrawal failed",
    # add form (forms.py, webhooks.html)
    "添加推送地址": "Add endpoint", "接收地址（URL）": "Endpoint URL", "备注": "Note", "例如：ERP 正式环境": "e.g. ERP production",
    "请选择店铺": "Choose a shop",
    "正式环境须使用 https:// 地址，且须是公网可以访问的地址。": "In production the URL must use https:// and be reachable from the internet.",
    "（包括以后新增的事件类型；勾选后下面的选择不生效）": "(including event types added later; when ticked, the choices below do not apply)",
    "只有您自己看得到，用来区分多个地址。": "Only you see it; it tells your endpoints apart.",
    "请填写接收推送的地址。": "Enter the URL that receives the events.", "地址最长 500 个字符。": "The URL can be at most 500 characters.",
    "备注最长 200 个字符。": "The note can be at most 200 characters.",
    "地址中不能包含用户名或密码。": "The URL must not contain a user name or password.",
    "接收地址须使用 https://。": "The URL must use https://.",
    "请填写以 https:// 或 http:// 开头的完整地址。": "Enter a full URL starting with https:// or http://.",
    "无法解析地址中的域名“%(host)s”，请检查是否拼写正确。": "The host name “%(host)s” does not resolve; check the spelling.",
    "地址“%(host)s”指向本机或内网，不能接收推送，请使用公网可访问的地址。":
        "“%(host)s” points to this machine or a private network and cannot receive events; use a publicly reachable URL.",
    "请选择“全部事件”或至少一种事件类型。": "Choose “All events” or at least one event type.",
    "不认识的事件类型：%(types)s。": "Unknown event types: %(types)s.",
    "最多可以添加 %(n)s 个推送地址，请先停用不再使用的地址。": "You can have at most %(n)s endpoints; disable one you no longer use first.",
    "请选择这个推送地址属于哪个店铺。": "Choose which shop this endpoint is for.",
    "您的账号还没有店铺，不能添加推送地址。": "Your account has no shop yet, so it cannot add endpoints.",
    "没有找到这个店铺。": "Shop not found.", "您的角色不能添加推送地址。": "Your role cannot add endpoints.",
    "这个推送地址已停用，不能再操作。": "This endpoint is disabled; nothing more can be done with it.",
    "这条推送正在发送中，请稍后刷新页面再试。": "This delivery is being sent right now; refresh the page in a moment and try again.",
    # the secret, shown once (webhook_secret.html)
    "签名密钥": "Signing secret", "新的签名密钥": "New signing secret", "只显示这一次": "Shown only once",
    "复制": "Copy", "已复制": "Copied", "请手动选中复制": "Select and copy it by hand",
    "请现在复制并妥善保存这个密钥（例如放进接收服务的环境变量）：离开或刷新本页后将无法再次查看。如果遗失，可以在推送地址详情页更换密钥。":
        "Copy this secret now and keep it safe (for example in your receiver's environment variables): once you leave or reload this page it cannot be shown again. If you lose it, rotate the secret on the endpoint's page.",
    "旧密钥在 %(until)s（北京时间）前仍会同时签名，请在此之前把接收服务换成新密钥。":
        "The old secret keeps signing beside the new one until %(until)s (Beijing time); switch your receiver to the new secret before then.",
    "在接收服务中验证签名": "Verify the signature in your receiver",
    "每次推送都带有 webhook-id、webhook-timestamp 和 webhook-signature 三个请求头（Standard Webhooks 规范）。用原始请求体验证，验证通过后在 10 秒内返回 2xx；重试时 webhook-id 不变，可用它去重。":
        "Every delivery carries the headers webhook-id, webhook-timestamp and webhook-signature (the Standard Webhooks specification). Verify the raw request body, then answer 2xx within 10 seconds; webhook-id stays the same on retries, so use it to drop duplicates.",
    "body：原始请求体；headers：请求头。签名不符时抛出 WebhookVerificationError":
        "body: the raw request body; headers: the request headers. Raises WebhookVerificationError if the signature does not match",
    # endpoint page (webhook_detail.html)
    "更换密钥": "Rotate secret", "停用": "Disable", "推送设置": "Settings",
    "已设置（出于安全考虑不再显示）": "Set (not shown again, for security)",
    "刚更换过密钥：旧密钥在 %(until)s 前仍同时签名。": "Recently rotated: the old secret also signs until %(until)s.",
    "更换密钥后会立即显示一次新密钥；旧密钥在 24 小时内仍会同时签名，方便您把接收服务平稳切换到新密钥。":
        "Rotating shows the new secret once; the old secret keeps signing beside it for 24 hours, so your receiver can switch over smoothly.",
    "推送记录": "Deliveries", "最新的在前；时间为北京时间": "Newest first; times are Beijing time",
    "事件": "Event", "事件类型": "Event type", "尝试次数": "Attempts", "状态码": "Status code", "耗时（ms）": "Duration (ms)",
    "最近尝试": "Last attempt", "下次重试": "Next retry", "错误": "Error", "重新发送": "Resend",
    "还没有推送记录": "No deliveries yet",
    "订阅的事件发生后，每次推送和它的结果都会记录在这里。": "Once a subscribed event happens, each delivery and its result is recorded here.",
    "确认停用这个推送地址？": "Disable this endpoint?", "确认停用": "Disable",
    "停用后不再向这个地址推送任何事件，尚未送达的推送也会放弃，停用后不能重新启用。如需继续接收，请添加新的推送地址。":
        "No more events are sent to this URL, deliveries still on their way are given up, and it cannot be enabled again. To keep receiving events, add a new endpoint.",
    # flash messages and refusals (events/views.py)
    "这个页面只对商家开放。": "This page is for merchants only.", "没有找到这个推送地址。": "Endpoint not found.",
    "没有找到这条推送记录。": "Delivery not found.", "已添加推送地址 %(url)s。": "Endpoint %(url)s added.",
    "翻页链接已失效，已回到第一页。": "That page link is no longer valid; showing the first page.",
    "已更换签名密钥。": "Signing secret rotated.",
    "已停用推送地址 %(url)s，之后不再向它推送事件。": "Endpoint %(url)s disabled; no more events are sent to it.",
    "事件 #%(event)s 已重新加入发送队列，将使用相同的 webhook-id 尽快推送。":
        "Event #%(event)s is queued again and goes out shortly with the same webhook-id.",
}

# Without a msgctxt these are the payouts Channel choices (models/enums.py). actions/changes.py writes them
# into stored notifications ("有人申请将安心钱包的提现账户…") in the request's language, so they must stay
# Chinese; the pages use the msgctxt "wallet" entries, which EN translates.
KEEP_CHINESE = {"安心钱包", "微信", "支付宝"}

# {% blocktrans count %} entries: msgid → (singular, plural)
EN_PLURAL = {
    "还可以验证 <strong>%(n)s</strong> 次": ("<strong>%(n)s</strong> attempt left", "<strong>%(n)s</strong> attempts left"),
}


def _po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


_STR = r'"((?:[^"\\]|\\.)*)"'


def _unescape(raw: str) -> str:
    return "".join(re.findall(_STR, raw)).replace('\\"', '"').replace("\\\\", "\\")


def _distrust_fuzzy(src: str) -> str:
    """Empty the msgstr of every fuzzy entry (and drop its #| previous msgid) so it is filled afresh."""
    out = []
    for block in src.split("\n\n"):
        lines = block.split("\n")
        if not any(ln.startswith("#,") and "fuzzy" in ln for ln in lines) or 'msgid ""\nmsgstr ""\n"Project' in block:
            out.append(block)
            continue
        kept, in_msgstr = [], False
        for ln in lines:
            if ln.startswith("#,"):
                flags = [f.strip() for f in ln[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                if flags:
                    kept.append("#, " + ", ".join(flags))
                continue
            if ln.startswith("#|"):
                continue
            m = re.match(r'msgstr(\[\d+\])? ', ln)
            if m:
                kept.append(f'msgstr{m.group(1) or ""} ""')
                in_msgstr = True
                continue
            if in_msgstr and ln.startswith('"'):
                continue
            in_msgstr = False
            kept.append(ln)
        out.append("\n".join(kept))
    return "\n\n".join(out)


def fill(path: Path) -> tuple[int, list[str]]:
    src = _distrust_fuzzy(path.read_text(encoding="utf-8"))
    missing, filled = [], 0

    def repl(m):
        nonlocal filled
        ctx, raw = m.group("ctx") or "", m.group("id")
        msgid = _unescape(raw)
        if not msgid or (msgid in KEEP_CHINESE and not ctx):
            return m.group(0)
        if msgid not in EN:
            missing.append(msgid)
            return m.group(0)
        filled += 1
        return f'{ctx}{raw}msgstr "{_po_escape(EN[msgid])}"\n'

    def repl_plural(m):
        nonlocal filled
        raw, msgid = m.group(1), _unescape(m.group(2))
        if msgid not in EN_PLURAL:
            missing.append(msgid)
            return m.group(0)
        filled += 1
        one, many = EN_PLURAL[msgid]
        return f'{raw}msgstr[0] "{_po_escape(one)}"\nmsgstr[1] "{_po_escape(many)}"\n'

    out = re.sub(r'(?P<ctx>msgctxt (?:"(?:[^"\\]|\\.)*"\n)+)?(?P<id>msgid (?:"(?:[^"\\]|\\.)*"\n)+)msgstr ""\n(?!")',
                 repl, src)
    out = re.sub(r'(msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgid_plural (?:"(?:[^"\\]|\\.)*"\n)+)'
                 r'msgstr\[0\] ""\nmsgstr\[1\] ""\n(?!")', repl_plural, out)
    out = out.replace("#, fuzzy\n", "")
    path.write_text(out, encoding="utf-8")
    return filled, missing


if __name__ == "__main__":
    po = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "django.po"
    n, missing = fill(po)
    print(f"filled {n}; without an English text: {len(missing)}")
    for m in missing:
        print("  ", m)
