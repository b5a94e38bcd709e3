"""Clear messages for every problem type the registry answers with (`/problems/<code>`), in Chinese and English.

A code that is built from a record's state (`divorce-withdrawn`, `claim-paid`, ...) is matched by its prefix.
"""

from __future__ import annotations

from registry.common.errors import DomainError, Failure

# code: (zh-CN, en)
PROBLEMS: dict[str, tuple[str, str]] = {
    # requests and access
    "domain-error": ("该操作不符合登记规则。", "The request breaks a rule of the registry."),
    "invalid-input": ("填写的内容不正确，请检查后重试。", "Some of what you entered is not valid."),
    "malformed-request": (
        "请求格式不正确，请返回重新填写。",
        "The request is malformed; please fill in the form again.",
    ),
    "text-character-refused": (
        "填写的内容含有控制字符或不可见字符，请删除后重试。",
        "The text contains a control or invisible character; remove it and try again.",
    ),
    "not-eligible": ("不符合办理条件，原因如下。", "The conditions are not met, for these reasons."),
    "not-found": ("没有找到该记录，或您无权查看。", "No such record, or not one you may see."),
    "forbidden": ("您所在的机关或角色不能办理此事项。", "Your office or role may not do this."),
    "wrong-state": ("该记录当前的状态不允许此操作。", "The record's current state does not allow this."),
    "version-mismatch": (
        "记录已被他人更新，请刷新页面后重试。",
        "The record has changed since you opened it; reload it.",
    ),
    "concurrent-change": (
        "有人同时在办理同一记录，请稍后重试。",
        "Someone changed the same record at the same time; retry.",
    ),
    "idempotency-key-reused": (
        "同一表单被用于不同的内容，请重新打开表单。",
        "This form was already used for something else.",
    ),
    "idempotency-key-malformed": ("表单已失效，请重新打开。", "The form has expired; open it again."),
    "if-match-malformed": ("表单已失效，请刷新页面。", "The form has expired; reload the page."),
    "not-configured": ("本登记机关尚未开通此项服务。", "This registry does not offer this service yet."),
    "working-calendar-missing": (
        "该年度的法定节假日安排尚未配置，暂时无法计算期限，请联系登记机关。",
        "The holiday calendar of that year is not configured yet, so the dates cannot be counted.",
    ),
    "view-not-caught-up": ("数据正在更新，请稍候刷新。", "The lists are being updated; reload in a moment."),
    "sealed-data-unreadable": ("该信息已依法封存，无法查看。", "This information is sealed by law and cannot be read."),
    "cursor-malformed": ("翻页参数无效，请从第一页开始。", "The page marker is not valid; start from the first page."),
    "after-malformed": ("翻页参数无效，请从第一页开始。", "The page marker is not valid; start from the first page."),
    "too-many-waiting": (
        "当前等待更新的请求过多，请稍候刷新。",
        "Too many requests are waiting for updates; reload in a moment.",
    ),
    "wait-for-beyond-log-head": (
        "所等待的记录不存在，请刷新页面。",
        "The record waited for does not exist; reload the page.",
    ),
    "time-zone-required": ("请填写带时区的时间。", "Give the time with its time zone."),
    "version-or-time": ("请填写版本号或时间，二者选一。", "Give a version or a time, not both."),
    "tree-sizes": ("检查点大小不正确。", "The checkpoint sizes are not valid."),
    "sign-in-refused": (
        "登录未成功：身份认证平台的应答未通过核验，请重新登录。",
        "Signing in failed: the identity provider's answer was not accepted.",
    ),
    "office-required": ("请指定登记机关。", "Name the office."),
    "wrong-office": ("此事项须在原受理的登记机关办理。", "This must be done at the office that received it."),
    "supervisor-required": ("此事项须由主管人员决定。", "A supervisor must decide this."),
    # identity documents
    "document-number-malformed": ("证件号码格式不正确。", "The document number is malformed."),
    "document-number-not-ascii": (
        "证件号码只能包含数字和字母 X。",
        "The document number may contain only digits and X.",
    ),
    "document-type-unknown": ("不支持该证件类型。", "This document type is not accepted."),
    "identity-number-malformed": ("身份证号码应为 18 位。", "A resident identity number has 18 characters."),
    "identity-number-check-character-wrong": ("身份证号码校验位不正确，请核对。", "The check character is wrong."),
    "identity-number-birth-date-impossible": (
        "身份证号码中的出生日期不存在。",
        "The birth date in the number is impossible.",
    ),
    "identity-number-division-unknown": (
        "身份证号码的行政区划代码不存在。",
        "The division code of the number is unknown.",
    ),
    "birth-date-in-future": ("出生日期不能晚于今天。", "The birth date is in the future."),
    "birth-date-mismatch": ("出生日期与证件号码不一致。", "The birth date does not match the document."),
    "birth-date-required": ("请填写出生日期。", "Give the birth date."),
    "sex-mismatch": ("性别与证件号码不一致。", "The sex does not match the document."),
    "sex-required": ("请填写性别。", "Give the sex."),
    "nationality-mismatch": ("国籍与证件类型不一致。", "The nationality does not match the document type."),
    "residence-permit-prefix-wrong": (
        "港澳台居民居住证号码开头不正确。",
        "The residence permit number has a wrong prefix.",
    ),
    "permanent-residence-card-province-unknown": (
        "外国人永久居留身份证的省份代码不存在。",
        "The province code of the permanent-residence card is unknown.",
    ),
    "chinese-citizen-passport": (
        "中国公民请使用中国证件办理。",
        "A Chinese citizen registers with a Chinese document.",
    ),
    "document-number-is-a-": (
        "该号码属于另一种证件，请选择正确的证件类型。",
        "That number belongs to another document type.",
    ),
    # marriage registration
    "party-not-present": ("当事人未亲自到场。", "A party is not present in person."),
    "marriage-not-voluntary": ("当事人未声明结婚出于自愿。", "A party has not declared the marriage voluntary."),
    "under-legal-age": ("未达法定婚龄（男 22 周岁，女 20 周岁）。", "Under the legal age (man 22, woman 20)."),
    "no-marriage-in-exchange": (
        "未查到两人在外省登记且仍存续的婚姻记录。",
        "No other province reports a running marriage of these two.",
    ),
    "refusal-contradicts-checks": (
        "所列原因与登记系统的核查结果不符，请只填写系统核查不到的情形。",
        "The reasons contradict the registry's own checks; give only what the checks cannot see.",
    ),
    "no-spouse-statement-missing": (
        "当事人未签署本人无配偶的声明。",
        "A party has not signed the no-spouse statement.",
    ),
    "kinship-statement-missing": (
        "当事人未签署与对方无直系血亲和三代以内旁系血亲关系的声明。",
        "A party has not signed the no-prohibited-kinship statement.",
    ),
    "certified-declaration-missing": (
        "非内地居民当事人未提交经公证或认证的无配偶及无禁婚亲属关系声明。",
        "A party who is not a mainland resident has not presented the certified declaration.",
    ),
    "party-already-married": ("当事人现有配偶，不能再次登记结婚。", "A party is currently married."),
    "party-married-in-another-province": (
        "当事人在其他省份有婚姻登记记录。",
        "A party is married in another province.",
    ),
    "party-deceased": ("当事人已登记死亡。", "A party is registered as deceased."),
    "not-a-man-and-a-woman": ("结婚登记须为一男一女。", "A marriage is registered between a man and a woman."),
    "parties-are-the-same-person": ("双方当事人不能是同一人。", "The two parties are the same person."),
    "office-not-designated": (
        "涉外、涉港澳台及华侨婚姻须在省级指定的登记机关办理。",
        "This office is not designated for couples with a party who is not a mainland resident.",
    ),
    "marriage-application-not-pending": ("该结婚申请已办结。", "The marriage application is no longer pending."),
    "application-lapsed": (
        "该结婚申请已逾期未办理，视为失效；请重新申请。",
        "The marriage application lapsed unregistered; file a new application.",
    ),
    "marriage-": ("该婚姻记录当前的状态不允许此操作。", "The marriage record's state does not allow this."),
    "judgment-date-out-of-range": ("判决生效日期不在有效范围内。", "The judgment's date is out of range."),
    "party-required": ("请选择撤回申请的一方。", "Name the party who withdraws."),
    "not-your-party": ("您只能以本人身份办理。", "You can act only as yourself."),
    "withdrawal-at-the-receiving-office": (
        "撤回离婚申请须在冷静期内由本人到受理该申请的婚姻登记机关办理，不能在网上办理。",
        "A divorce application is withdrawn in person, during the cooling-off period, at the office that received it; "
        "not online.",
    ),
    # divorce
    "divorce-agreement-missing": ("双方未签署离婚协议书。", "The divorce agreement is not signed by both."),
    "divorce-not-voluntary": ("当事人未声明离婚出于自愿。", "A party has not declared the divorce voluntary."),
    "divorce-already-pending": (
        "该婚姻已有一份正在办理的离婚申请。",
        "A divorce application for this marriage is pending.",
    ),
    "divorce-": (
        "离婚申请当前的状态不允许此操作（可能已撤回、已登记或已逾期）。",
        "The divorce application's state does not allow this.",
    ),
    # DV inquiry
    "confidentiality-pledge-missing": ("请签署保密承诺书。", "Sign the confidentiality pledge."),
    "truthfulness-pledge-missing": ("请签署信息真实承诺书。", "Sign the truthfulness pledge."),
    "dv-inquiry-limit": ("每人每年最多查询 2 次。", "At most 2 inquiries per person per year."),
    "dv-inquiry-subject-limit": ("每人每年最多查询 2 名不同的对象。", "At most 2 different people per year."),
    "dv-subject-not-the-other-party": (
        "只能查询本人婚姻申请的另一方当事人。",
        "You may ask only about the other party.",
    ),
    "dv-subject-document": (
        "被查询人须提供居民身份证号码。",
        "The person asked about is given by resident identity number.",
    ),
    "applicant-party-required": ("请选择申请人是哪一方。", "Name the applicant: party a or b."),
    "dv-inquiry-": ("该查询申请当前的状态不允许此操作。", "The inquiry's state does not allow this."),
    "dv-category-not-accepted": ("不接受该类记录。", "This category of record is not accepted."),
    "dv-expiry-not-applicable": ("该类记录没有有效期。", "This kind of record has no expiry."),
    "dv-extension-after-expiry": ("保护令已过期，不能延长。", "The protection order has expired."),
    "dv-extension-length": ("每次延长不超过六个月。", "An extension is at most six months."),
    "dv-extension-not-applicable": ("只有人身安全保护令可以延长。", "Only protection orders can be extended."),
    "dv-issued-before-register": ("该记录早于登记范围的起始日期。", "The record predates the register."),
    "dv-issued-in-future": ("签发日期不能晚于今天。", "The issue date is in the future."),
    "dv-record-sealed": ("该记录已封存。", "The record is sealed."),
    "dv-record-": ("该记录当前的状态不允许此操作。", "The record's state does not allow this."),
    "protection-order-validity": ("人身安全保护令有效期不超过六个月。", "A protection order runs at most six months."),
    "not-the-issuing-authority": ("只有签发机关可以办理。", "Only the issuing authority may do this."),
    # deaths and the bundle
    "death-already-registered": ("该死亡已登记。", "This death is already registered."),
    "death-awaiting-confirmation": ("死亡登记正在等待主管确认。", "The death registration awaits confirmation."),
    "death-under-review": ("死亡登记存在冲突，正在复核。", "The death registration is under review."),
    "death-registration-rejected": ("该死亡登记已被驳回。", "This death registration was rejected."),
    "death-before-birth": ("死亡日期早于出生日期。", "The date of death is before the birth."),
    "death-date-in-future": ("死亡日期不能晚于今天。", "The date of death is in the future."),
    "death-certificate-kind": ("死亡证明种类不正确。", "The kind of death certificate is not valid."),
    "death-report-role": ("您的角色不能登记死亡。", "Your role may not register deaths."),
    "certificate-not-issued-by-reporter": ("该证明不是由您的机构出具的。", "The certificate was not issued by you."),
    "death-": ("该死亡登记当前的状态不允许此操作。", "The death registration's state does not allow this."),
    "bundle-already-applied": (
        "该逝者的“身后一件事”已有人申请。",
        "The bundle for this death was already applied for.",
    ),
    "applicant-document-required": ("请填写申请人的证件。", "Give the applicant's identity document."),
    "not-the-applicant": ("只有申请人本人可以办理。", "Only the applicant may do this."),
    "not-your-department": ("该事项不属于您的部门。", "This task belongs to another department."),
    "task-": ("该事项已办结。", "This task is already closed."),
    "benefit-code": ("待遇类别不正确。", "The benefit is not known."),
    "payment-amount": ("金额不正确。", "The amount is not valid."),
    "review-decision": ("复核结论不正确。", "The review decision is not valid."),
    "no-review-pending": ("没有待复核的事项。", "There is nothing to review."),
    "reason-required": ("请填写原因。", "Give the reason."),
    "reference-required": ("请填写办理编号。", "Give the reference."),
    # eco-burial rewards
    "reward-already-claimed": ("该逝者的生态安葬奖补已申领。", "The reward for this death was already claimed."),
    "reward-not-eligible": ("逝者不符合生态安葬奖补的条件。", "The deceased is not eligible for the reward."),
    "burial-not-eco": ("该安葬方式不属于生态安葬。", "This kind of burial is not an eco-burial."),
    "burial-kind-unknown": ("安葬方式不正确。", "The kind of burial is not known."),
    "burial-dates-out-of-order": ("安葬日期不能早于火化日期。", "The burial cannot be before the cremation."),
    "burial-in-future": ("安葬日期不能晚于今天。", "The burial date is in the future."),
    "claim-office": ("奖补须在受理机关审批。", "The claim is decided at the office that received it."),
    "claim-": ("该申领当前的状态不允许此操作。", "The claim's state does not allow this."),
    "payment-reference-required": ("请填写支付凭证号。", "Give the payment reference."),
    "reward-amount-negative": ("奖补金额不能为负数。", "An amount cannot be negative."),
    "reward-entry-duplicate": ("该日期已有奖补标准。", "There is already a schedule entry on that date."),
    "reward-kind-unknown": ("安葬方式不正确。", "The kind of burial is not known."),
    # place names and door plates
    "name-duplicate": ("同一范围内已有同名地名。", "The name duplicates another in its scope."),
    "name-sounds-like": (
        "与同一范围内的地名同音，须记录批准理由。",
        "The name sounds like another; the authority must record why.",
    ),
    "name-empty": ("请填写地名。", "Give the name."),
    "name-character-not-allowed": ("地名含有不允许的字符。", "The name contains a character that is not allowed."),
    "name-invisible-character": ("地名含有不可见字符。", "The name contains invisible characters."),
    "name-already-announced": ("该地名已公告。", "The name is already announced."),
    "name-not-announced": ("地名须先公告再备案。", "The name must be announced first."),
    "named-after-planning-permit": ("须在取得规划许可前命名。", "The name must come before the planning permit."),
    "built-and-unnamed-not-applicable": ("该类地名不适用已建成未命名的情形。", "Not applicable to this kind of name."),
    "built-up-area-unknown": ("建成区代码不存在。", "The built-up area is unknown."),
    "origin-and-meaning-required": ("请填写地名的来历和含义。", "Give the origin and meaning of the name."),
    "place-kind-unknown": ("地名类别不正确。", "The kind of place name is not known."),
    "place-name-step-unknown": ("地名办理步骤不正确。", "The step is not known."),
    "place-name-": ("该地名当前的状态不允许此操作。", "The place name's state does not allow this."),
    "public-notice-not-over": ("公示期尚未结束。", "The public consultation is not over."),
    "not-the-approving-authority": (
        "该类地名须由法定审批机关批准。",
        "Only the kind's approving authority may approve.",
    ),
    "not-the-consulted-body": ("只有被征求意见的机关可以出具意见。", "Only the consulted body may give its opinion."),
    "opinion-missing": ("尚未取得有关部门的意见。", "The required opinion has not been given."),
    "opinion-required": ("请填写意见。", "Give the opinion."),
    "no-such-banned-entry": ("没有这一禁用词条。", "There is no such banned entry."),
    "road-not-approved": ("道路名称尚未批准，不能编门牌号。", "The road's name is not approved yet."),
    "plate-before-first": ("位置不能在道路起点之前。", "The position is before the road's start."),
    "plate-no-number-between": ("两个门牌号之间没有可用的号码。", "There is no number left between the two plates."),
    "plate-position-taken": ("该位置已有门牌。", "There is already a plate at that position."),
    "plate-retired": ("该门牌已注销。", "The plate is retired."),
    "plate-side": ("请选择道路的左侧或右侧。", "Choose the left or right side of the road."),
    "building-has-a-plate": ("该建筑已有门牌。", "The building already has a plate."),
    "dwelling-duplicate": ("该户室已登记。", "The dwelling is already recorded."),
    "room-required": ("请填写室号。", "Give the room."),
    "spare-range": ("预留号码的范围不正确。", "The range of spare numbers is not valid."),
    # exchange
    "exchange-fact-malformed": ("交换数据格式不正确。", "The exchanged fact is malformed."),
    "exchange-fact-type-unknown": ("交换数据类型不正确。", "The exchanged fact's type is unknown."),
    "not-an-exchange-peer": ("不是数据交换的对方机关。", "Not an exchange peer."),
}

GENERIC = PROBLEMS["domain-error"]


def message(code: str, lang: str) -> str:
    """The message of a problem code in a language (zh or en); a state-built code by its prefix."""
    pair = PROBLEMS.get(code)
    if pair is None:
        prefix = max((p for p in PROBLEMS if p.endswith("-") and code.startswith(p)), key=len, default=None)
        pair = PROBLEMS[prefix] if prefix else GENERIC
    return pair[0] if lang == "zh" else pair[1]


def failure_messages(error: DomainError, lang: str) -> list[str]:
    """One line per failed condition, naming the party where one is concerned."""
    return [_line(failure, lang) for failure in error.failures] or [message(error.code, lang)]


def _line(failure: Failure, lang: str) -> str:
    text = message(failure.code, lang)
    if failure.subject in ("a", "b"):
        party = {"a": ("甲方", "Party A"), "b": ("乙方", "Party B")}[failure.subject]
        return f"{party[0]}：{text}" if lang == "zh" else f"{party[1]}: {text}"
    return text
