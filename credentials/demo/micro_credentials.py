"""Invented Hong Kong micro-credentials (and two awards they stack into), written for the demo.

Every title, outcome and provider here is made up; registration numbers follow the
HKQR pattern ``YY/NNNNNN/Ln`` with ``n`` the HKQF level. Validity periods are days
relative to today, so the register always shows entries expiring soon and expired.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from credentials.choices import (
    AccreditationStatus,
    CredentialKind,
    CredentialStatus,
    DeliveryMode,
    QualityMark,
    StatusSource,
    Supervision,
)
from credentials.models import AccreditationRecord, Credential
from providers.models import Provider
from qualifications.choices import AreaScheme
from qualifications.models import AreaOfStudy, Level

from .base import SeedContext, StatusStep, upsert_by_fields, upsert_credentials
from .providers import ATELIER_EAST, CORNERSTONE, EASTWIND, HARBOUR, JADE_HILL, SKYLINE

PROGRAMMING = "programming"
FINANCE = "finance"
FASHION = "fashion"
ELDERLY_CARE = "elderly_care"
ARCHITECTURE = "architecture"
AI = "ai"
AVIATION = "aviation"
GREEN_FINANCE = "green_finance"
TOPICS = (PROGRAMMING, FINANCE, FASHION, ELDERLY_CARE, ARCHITECTURE, AI, AVIATION, GREEN_FINANCE)

HKCAAVQ = "HKCAAVQ"
HOURS_PER_QF_CREDIT = 10
# Entries still in the QA pipeline carry the validity the provider has proposed.
PROPOSED_START, PROPOSED_END = 45, 45 + 3 * 365
IN_PIPELINE = {
    CredentialStatus.DRAFT,
    CredentialStatus.SUBMITTED,
    CredentialStatus.UNDER_REVIEW,
    CredentialStatus.REFERRED_BACK,
    CredentialStatus.NOT_APPROVED,
}

COURSEWORK_AND_EXAM = "Coursework (60%) and a supervised written examination (40%)"
PROJECT_AND_PRESENTATION = "Individual project with an oral presentation"
PRACTICAL_AND_PORTFOLIO = "Practical assessment and portfolio of work"
PLACEMENT_AND_OBSERVATION = "Supervised practicum with direct observation and a reflective log"
CASE_STUDY_AND_TEST = "Case-study report and an online timed test"


@dataclass(frozen=True)
class MicroCredential:
    """One invented register entry; validity dates are day offsets from today."""

    registration_number: str
    topic: str
    provider: str
    title_en: str
    title_zh: str
    level: int
    credits: int
    area: str
    outcomes_en: tuple[str, ...]
    outcomes_zh: tuple[str, ...]
    assessment: str
    supervision: str
    mode: str
    fee: int
    valid_from: int = -400
    valid_to: int = 700
    status: str = CredentialStatus.REGISTERED
    cef: bool = False
    stackable: bool = False
    languages: tuple[str, ...] = ("yue", "en")
    prerequisites: str = ""
    kind: str = CredentialKind.MICRO_CREDENTIAL
    status_reason: str = ""


def _mc(**values: Any) -> MicroCredential:
    if values.get("status") in IN_PIPELINE:
        values.setdefault("valid_from", PROPOSED_START)
        values.setdefault("valid_to", PROPOSED_END)
    return MicroCredential(**values)


MICRO_CREDENTIALS: list[MicroCredential] = [
    # --- Programming ---------------------------------------------------------------
    _mc(
        registration_number="23/001101/L4",
        topic=PROGRAMMING,
        provider=HARBOUR,
        title_en="Professional Certificate in Python Programming for Data Analysis",
        title_zh="Python數據分析程式設計專業證書",
        level=4,
        credits=9,
        area="Computing",
        outcomes_en=(
            "Write structured Python programs that read, clean and transform tabular data.",
            "Analyse data sets with pandas and summarise findings in charts.",
            "Automate a recurring reporting task and document the code for colleagues.",
        ),
        outcomes_zh=(
            "編寫結構化的Python程式以讀取、清理及轉換表格數據。",
            "運用pandas分析數據集，並以圖表歸納結果。",
            "將恆常報告工作自動化，並為同事撰寫程式說明文件。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=8800,
        valid_from=-700,
        valid_to=400,
        cef=True,
        stackable=True,
    ),
    _mc(
        registration_number="24/001102/L3",
        topic=PROGRAMMING,
        provider=HARBOUR,
        title_en="Certificate in Web Application Development with JavaScript",
        title_zh="JavaScript網頁應用程式開發證書",
        level=3,
        credits=6,
        area="Computing",
        outcomes_en=(
            "Build responsive web pages with HTML, CSS and JavaScript.",
            "Call a web API and present its data in an interactive page.",
        ),
        outcomes_zh=(
            "以HTML、CSS及JavaScript建立響應式網頁。",
            "調用網絡應用程式介面並於互動網頁展示其數據。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.ONLINE,
        fee=5600,
        valid_from=-300,
        valid_to=800,
        cef=True,
    ),
    _mc(
        registration_number="24/001103/L4",
        topic=PROGRAMMING,
        provider=HARBOUR,
        title_en="Certificate in Cloud Application Deployment and DevOps Practice",
        title_zh="雲端應用部署及DevOps實務證書",
        level=4,
        credits=6,
        area="Computing",
        outcomes_en=(
            "Package an application in containers and deploy it to a cloud platform.",
            "Set up a continuous integration pipeline with automated tests.",
            "Monitor a deployed service and respond to incidents with runbooks.",
        ),
        outcomes_zh=(
            "以容器封裝應用程式並部署至雲端平台。",
            "建立具自動化測試的持續整合流程。",
            "監察已部署的服務，並按操作手冊處理事故。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.ONLINE,
        fee=6200,
        valid_from=-1075,
        valid_to=20,
    ),
    _mc(
        registration_number="22/001104/L2",
        topic=PROGRAMMING,
        provider=HARBOUR,
        title_en="Certificate in Introductory Coding for Office Automation",
        title_zh="辦公室自動化入門編程證書",
        level=2,
        credits=3,
        area="Computing",
        outcomes_en=(
            "Record and edit simple macros to automate spreadsheet tasks.",
            "Follow basic programming logic using variables, conditions and loops.",
        ),
        outcomes_zh=(
            "錄製及修改簡單巨集，以自動處理試算表工作。",
            "運用變數、條件及迴圈等基本編程邏輯。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_NO_ID,
        mode=DeliveryMode.ONSITE,
        fee=2400,
        valid_from=-1135,
        valid_to=-40,
        status=CredentialStatus.EXPIRED,
        cef=True,
    ),
    _mc(
        registration_number="25/001105/L5",
        topic=PROGRAMMING,
        provider=HARBOUR,
        title_en="Professional Certificate in Secure Software Engineering",
        title_zh="安全軟件工程專業證書",
        level=5,
        credits=12,
        area="Computing",
        outcomes_en=(
            "Model threats to a software system and prioritise the risks found.",
            "Apply secure coding practices to prevent common web vulnerabilities.",
            "Integrate static analysis and dependency scanning into a build pipeline.",
            "Evaluate a codebase against a recognised application security standard.",
        ),
        outcomes_zh=(
            "為軟件系統進行威脅建模，並排列所識別風險的優次。",
            "應用安全編碼實務以防範常見網絡漏洞。",
            "將靜態分析及依賴套件掃描納入建置流程。",
            "按認可的應用程式安全標準評估程式碼庫。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=14800,
        status=CredentialStatus.UNDER_REVIEW,
        stackable=True,
        prerequisites="A Level 4 qualification in computing, or two years' programming experience.",
    ),
    _mc(
        registration_number="26/001106/L4",
        topic=PROGRAMMING,
        provider=HARBOUR,
        title_en="Certificate in Mobile App Development with Flutter",
        title_zh="Flutter流動應用程式開發證書",
        level=4,
        credits=6,
        area="Computing",
        outcomes_en=(
            "Design and build a cross-platform mobile app with Flutter.",
            "Store data locally and synchronise it with a cloud back end.",
            "Test an app on several devices and prepare it for store submission.",
        ),
        outcomes_zh=(
            "以Flutter設計及開發跨平台流動應用程式。",
            "於本機儲存數據並與雲端後台同步。",
            "於多部裝置測試應用程式並準備上架。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.ONLINE,
        fee=6800,
        status=CredentialStatus.SUBMITTED,
    ),
    # --- Artificial intelligence ---------------------------------------------------
    _mc(
        registration_number="24/002201/L5",
        topic=AI,
        provider=HARBOUR,
        title_en="Professional Certificate in Machine Learning for Business Applications",
        title_zh="商業應用機器學習專業證書",
        level=5,
        credits=12,
        area="AI",
        outcomes_en=(
            "Frame a business question as a supervised or unsupervised learning task.",
            "Train, tune and validate models with scikit-learn.",
            "Explain a model's predictions and limitations to non-specialist managers.",
        ),
        outcomes_zh=(
            "把商業問題界定為監督式或非監督式學習任務。",
            "以scikit-learn訓練、調校及驗證模型。",
            "向非專業管理人員解釋模型的預測及局限。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=12800,
        valid_from=-500,
        valid_to=600,
        stackable=True,
        prerequisites="Basic Python programming.",
    ),
    _mc(
        registration_number="25/002202/L4",
        topic=AI,
        provider=HARBOUR,
        title_en="Certificate in Generative AI for Workplace Productivity",
        title_zh="生成式人工智能職場應用證書",
        level=4,
        credits=3,
        area="AI",
        outcomes_en=(
            "Write effective prompts for drafting, summarising and translating documents.",
            "Check generated content for accuracy, bias and confidentiality risks.",
        ),
        outcomes_zh=(
            "撰寫有效提示，用於草擬、摘要及翻譯文件。",
            "檢查生成內容的準確性、偏差及保密風險。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.ONLINE,
        fee=3200,
        valid_from=-10,
        valid_to=3 * 365 - 10,
        cef=True,
        stackable=True,
    ),
    _mc(
        registration_number="24/002203/L6",
        topic=AI,
        provider=HARBOUR,
        title_en="Postgraduate Certificate in Responsible AI and Data Governance",
        title_zh="負責任人工智能及數據管治深造證書",
        level=6,
        credits=15,
        area="AI",
        outcomes_en=(
            "Critically assess AI systems against ethical principles and Hong Kong privacy law.",
            "Design a data governance framework covering consent, retention and access.",
            "Lead an algorithmic impact assessment and communicate its findings to a board.",
        ),
        outcomes_zh=(
            "按倫理原則及香港私隱法例批判評估人工智能系統。",
            "設計涵蓋同意、保存及存取的數據管治框架。",
            "主導演算法影響評估並向董事會匯報結果。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=26000,
        valid_from=-1035,
        valid_to=60,
        languages=("en",),
        prerequisites="A bachelor's degree and two years of relevant work experience.",
    ),
    _mc(
        registration_number="25/002204/L3",
        topic=AI,
        provider=HARBOUR,
        title_en="Certificate in AI Literacy for Frontline Staff",
        title_zh="前線員工人工智能素養證書",
        level=3,
        credits=3,
        area="AI",
        outcomes_en=(
            "Describe in plain language what AI tools can and cannot do.",
            "Use approved AI assistants safely when serving customers.",
        ),
        outcomes_zh=(
            "以淺白語言說明人工智能工具的能力與限制。",
            "在服務客戶時安全使用獲批准的人工智能助理。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.UNSUPERVISED,
        mode=DeliveryMode.ONLINE,
        fee=1800,
        status=CredentialStatus.REFERRED_BACK,
        cef=True,
    ),
    _mc(
        registration_number="26/002205/L5",
        topic=AI,
        provider=HARBOUR,
        title_en="Certificate in Computer Vision for Smart City Applications",
        title_zh="智慧城市電腦視覺應用證書",
        level=5,
        credits=9,
        area="AI",
        outcomes_en=(
            "Train image classification and object detection models on urban data.",
            "Deploy a vision model to an edge device and measure its performance.",
            "Assess the privacy impact of camera-based systems in public spaces.",
        ),
        outcomes_zh=(
            "以城市數據訓練影像分類及物件偵測模型。",
            "將視覺模型部署至邊緣裝置並量度其效能。",
            "評估公共空間攝影系統對私隱的影響。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=11800,
        status=CredentialStatus.DRAFT,
    ),
    _mc(
        registration_number="23/002206/L5",
        topic=AI,
        provider=HARBOUR,
        title_en="Professional Certificate in Natural Language Processing for Chinese Text",
        title_zh="中文文本自然語言處理專業證書",
        level=5,
        credits=9,
        area="AI",
        outcomes_en=(
            "Segment and tag Traditional and Simplified Chinese text.",
            "Fine-tune a language model for classification of Chinese documents.",
            "Evaluate NLP output for Cantonese and code-mixed text.",
        ),
        outcomes_zh=(
            "為繁體及簡體中文文本進行分詞及標註。",
            "微調語言模型以分類中文文件。",
            "評估粵語及中英夾雜文本的自然語言處理結果。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=11200,
        valid_from=-800,
        valid_to=300,
        stackable=True,
    ),
    # --- Finance / FinTech ---------------------------------------------------------
    _mc(
        registration_number="24/003301/L5",
        topic=FINANCE,
        provider=HARBOUR,
        title_en="Certificate in Blockchain and Digital Assets",
        title_zh="區塊鏈及數碼資產證書",
        level=5,
        credits=15,
        area="Business",
        outcomes_en=(
            "Explain how distributed ledgers, consensus and smart contracts work.",
            "Evaluate tokenised assets and stablecoins against Hong Kong's regulatory regime.",
            "Assess custody and cyber-security risks of digital asset platforms.",
        ),
        outcomes_zh=(
            "解釋分佈式分類帳、共識機制及智能合約的運作。",
            "按香港監管制度評估代幣化資產及穩定幣。",
            "評估數碼資產平台的託管及網絡安全風險。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=15800,
        stackable=True,
    ),
    _mc(
        registration_number="24/003302/L5",
        topic=FINANCE,
        provider=HARBOUR,
        title_en="Certificate in Regulatory Technology and Compliance Analytics",
        title_zh="監管科技及合規分析證書",
        level=5,
        credits=15,
        area="Business",
        outcomes_en=(
            "Map anti-money-laundering obligations to data and monitoring controls.",
            "Build transaction-monitoring rules and tune them against false positives.",
            "Report compliance metrics to management and regulators.",
        ),
        outcomes_zh=(
            "把打擊洗錢責任對應至數據及監察措施。",
            "建立交易監察規則並調校以減少誤報。",
            "向管理層及監管機構匯報合規指標。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.BLENDED,
        fee=15800,
        stackable=True,
    ),
    _mc(
        registration_number="24/003303/L5",
        topic=FINANCE,
        provider=HARBOUR,
        title_en="Certificate in Python for Quantitative Finance",
        title_zh="Python量化金融證書",
        level=5,
        credits=15,
        area="Business",
        outcomes_en=(
            "Price bonds and options with numerical methods in Python.",
            "Back-test a trading strategy and interpret its risk measures.",
            "Build a reproducible research notebook for portfolio analysis.",
        ),
        outcomes_zh=(
            "以Python數值方法為債券及期權定價。",
            "回測交易策略並解讀其風險指標。",
            "建立可重現的投資組合分析研究筆記本。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=15800,
        stackable=True,
        prerequisites="Certificate-level statistics or equivalent.",
    ),
    _mc(
        registration_number="24/003304/L5",
        topic=FINANCE,
        provider=HARBOUR,
        title_en="Certificate in AI Applications in Banking",
        title_zh="人工智能銀行應用證書",
        level=5,
        credits=15,
        area="Business",
        outcomes_en=(
            "Identify banking processes suited to machine learning, from credit to fraud.",
            "Evaluate model risk and fairness under supervisory expectations.",
            "Propose an AI use case with a business case and a governance plan.",
        ),
        outcomes_zh=(
            "識別適合應用機器學習的銀行流程，由信貸至防欺詐。",
            "按監管要求評估模型風險及公平性。",
            "提出附商業論證及管治方案的人工智能應用建議。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=15800,
        stackable=True,
    ),
    _mc(
        registration_number="23/003305/L3",
        topic=FINANCE,
        provider=EASTWIND,
        title_en="Certificate in Insurance Intermediary Practice",
        title_zh="保險中介實務證書",
        level=3,
        credits=6,
        area="Business",
        outcomes_en=(
            "Explain the main classes of long-term and general insurance.",
            "Conduct a needs analysis and recommend suitable products to a client.",
            "Apply the conduct requirements that govern licensed intermediaries.",
        ),
        outcomes_zh=(
            "解釋長期保險及一般保險的主要類別。",
            "進行需要分析並向客戶推薦合適產品。",
            "應用規管持牌中介人的操守要求。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=3800,
        valid_from=-900,
        valid_to=450,
        cef=True,
        languages=("yue", "zh-hant"),
    ),
    _mc(
        registration_number="24/003306/L4",
        topic=FINANCE,
        provider=EASTWIND,
        title_en="Certificate in Financial Planning and Wealth Management",
        title_zh="理財策劃及財富管理證書",
        level=4,
        credits=9,
        area="Business",
        outcomes_en=(
            "Prepare a personal financial plan covering cash flow, tax and retirement.",
            "Construct a diversified portfolio matched to a client's risk profile.",
        ),
        outcomes_zh=(
            "制定涵蓋現金流、稅務及退休的個人理財計劃。",
            "按客戶風險取向建構分散投資組合。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=7600,
        valid_from=-450,
        valid_to=650,
        status=CredentialStatus.SUSPENDED,
        cef=True,
        status_reason="Suspended while assessment irregularities at one centre are investigated.",
    ),
    _mc(
        registration_number="25/003307/L4",
        topic=FINANCE,
        provider=EASTWIND,
        title_en="Certificate in Digital Payment Systems",
        title_zh="數碼支付系統證書",
        level=4,
        credits=6,
        area="Business",
        outcomes_en=(
            "Describe how card, wallet and faster-payment schemes clear and settle.",
            "Assess the fraud and operational risks of a payment product.",
        ),
        outcomes_zh=(
            "描述信用卡、電子錢包及快速支付系統的結算流程。",
            "評估支付產品的欺詐及營運風險。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.ONLINE,
        fee=5200,
        valid_from=-200,
        valid_to=900,
        stackable=True,
    ),
    # --- Green and sustainable finance ---------------------------------------------
    _mc(
        registration_number="24/004401/L5",
        topic=GREEN_FINANCE,
        provider=EASTWIND,
        title_en="Professional Certificate in Green and Sustainable Finance",
        title_zh="綠色及可持續金融專業證書",
        level=5,
        credits=12,
        area="Business",
        outcomes_en=(
            "Explain the taxonomies and standards that define green and sustainable assets.",
            "Integrate ESG factors into credit and investment analysis.",
            "Evaluate transition plans of issuers in carbon-intensive sectors.",
        ),
        outcomes_zh=(
            "解釋界定綠色及可持續資產的分類目錄及標準。",
            "將環境、社會及管治因素納入信貸及投資分析。",
            "評估高碳行業發行人的轉型計劃。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=15800,
        valid_from=-600,
        valid_to=500,
        cef=True,
        stackable=True,
    ),
    _mc(
        registration_number="25/004402/L4",
        topic=GREEN_FINANCE,
        provider=EASTWIND,
        title_en="Certificate in ESG Reporting and Climate Disclosure",
        title_zh="ESG報告及氣候披露證書",
        level=4,
        credits=6,
        area="Business",
        outcomes_en=(
            "Prepare an ESG report that meets the exchange's disclosure requirements.",
            "Measure Scope 1 and Scope 2 greenhouse gas emissions for a company.",
            "Draft climate-related disclosures aligned with ISSB standards.",
        ),
        outcomes_zh=(
            "按交易所披露要求編製環境、社會及管治報告。",
            "計算企業範圍一及範圍二溫室氣體排放。",
            "按國際可持續準則理事會準則草擬氣候相關披露。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.ONLINE,
        fee=6400,
        valid_from=-20,
        valid_to=3 * 365 - 20,
        cef=True,
        stackable=True,
    ),
    _mc(
        registration_number="24/004403/L5",
        topic=GREEN_FINANCE,
        provider=EASTWIND,
        title_en="Certificate in Green Bond Issuance and Verification",
        title_zh="綠色債券發行及核證證書",
        level=5,
        credits=6,
        area="Business",
        outcomes_en=(
            "Structure a green bond framework with use-of-proceeds and reporting rules.",
            "Assess external review and verification reports for green debt.",
        ),
        outcomes_zh=(
            "以募集資金用途及匯報規則建構綠色債券框架。",
            "評估綠色債務的外部評審及核證報告。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.BLENDED,
        fee=7200,
        valid_from=-1020,
        valid_to=75,
    ),
    _mc(
        registration_number="23/004404/L6",
        topic=GREEN_FINANCE,
        provider=EASTWIND,
        title_en="Postgraduate Certificate in Climate Risk Analytics",
        title_zh="氣候風險分析深造證書",
        level=6,
        credits=15,
        area="Business",
        outcomes_en=(
            "Model physical and transition climate risks for a loan or investment book.",
            "Run climate scenario analysis and stress tests and critique their assumptions.",
            "Advise senior management on climate risk appetite and strategy.",
        ),
        outcomes_zh=(
            "為貸款或投資組合建立實體及轉型氣候風險模型。",
            "進行氣候情境分析及壓力測試，並評析其假設。",
            "就氣候風險承受水平及策略向高級管理層提供意見。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=28000,
        valid_from=-700,
        valid_to=400,
        languages=("en",),
        prerequisites="A bachelor's degree in finance, economics or a quantitative subject.",
    ),
    _mc(
        registration_number="22/004405/L4",
        topic=GREEN_FINANCE,
        provider=EASTWIND,
        title_en="Certificate in Carbon Markets and Trading",
        title_zh="碳市場及交易證書",
        level=4,
        credits=6,
        area="Business",
        outcomes_en=(
            "Compare compliance and voluntary carbon markets and their credit standards.",
            "Evaluate the quality and integrity of carbon credits.",
        ),
        outcomes_zh=(
            "比較強制及自願碳市場及其減排量標準。",
            "評估碳信用的質素及完整性。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.ONLINE,
        fee=5800,
        valid_from=-1215,
        valid_to=-120,
        status=CredentialStatus.EXPIRED,
    ),
    _mc(
        registration_number="26/004406/L3",
        topic=GREEN_FINANCE,
        provider=EASTWIND,
        title_en="Certificate in Sustainable Finance Fundamentals for SMEs",
        title_zh="中小企可持續金融基礎證書",
        level=3,
        credits=3,
        area="Business",
        outcomes_en=(
            "Explain how green loans and sustainability-linked loans work for small firms.",
            "Prepare the basic environmental data a lender asks for.",
        ),
        outcomes_zh=(
            "解釋綠色貸款及可持續發展表現掛鈎貸款如何適用於小型企業。",
            "準備貸款機構所需的基本環境數據。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.UNSUPERVISED,
        mode=DeliveryMode.ONLINE,
        fee=2200,
        status=CredentialStatus.UNDER_REVIEW,
        cef=True,
        languages=("yue", "zh-hant"),
    ),
    # --- Fashion -------------------------------------------------------------------
    _mc(
        registration_number="24/005501/L3",
        topic=FASHION,
        provider=ATELIER_EAST,
        title_en="Certificate in Fashion Pattern Cutting",
        title_zh="時裝紙樣裁剪證書",
        level=3,
        credits=6,
        area="Design",
        outcomes_en=(
            "Draft basic blocks for skirts, bodices and trousers from measurements.",
            "Adapt blocks into new styles and grade patterns across sizes.",
        ),
        outcomes_zh=(
            "按尺寸繪製裙、上身及褲的基本原型。",
            "將原型改作新款式並進行紙樣放碼。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=4600,
        valid_from=-350,
        valid_to=750,
        cef=True,
    ),
    _mc(
        registration_number="24/005502/L4",
        topic=FASHION,
        provider=ATELIER_EAST,
        title_en="Certificate in Sustainable Fashion Design and Upcycling",
        title_zh="可持續時裝設計及升級再造證書",
        level=4,
        credits=9,
        area="Design",
        outcomes_en=(
            "Develop a capsule collection from deadstock and post-consumer textiles.",
            "Apply zero-waste pattern techniques to reduce cutting-room waste.",
            "Assess a garment's life-cycle impact and communicate it to customers.",
        ),
        outcomes_zh=(
            "以庫存布料及消費後紡織品發展膠囊系列。",
            "應用零浪費紙樣技術減少裁床廢料。",
            "評估成衣生命周期影響並向顧客傳達。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=8200,
        valid_from=-250,
        valid_to=850,
        cef=True,
        stackable=True,
    ),
    _mc(
        registration_number="23/005503/L4",
        topic=FASHION,
        provider=ATELIER_EAST,
        title_en="Certificate in Fashion Merchandising and Buying",
        title_zh="時裝採購及營銷證書",
        level=4,
        credits=6,
        area="Design",
        outcomes_en=(
            "Plan a seasonal range with a buying budget and open-to-buy.",
            "Analyse sell-through data to decide on markdowns and repeats.",
        ),
        outcomes_zh=(
            "以採購預算及可購額度規劃季度貨品系列。",
            "分析銷售率數據以決定減價及補貨。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=5400,
        valid_from=-1080,
        valid_to=15,
        cef=True,
    ),
    _mc(
        registration_number="24/005504/L2",
        topic=FASHION,
        provider=ATELIER_EAST,
        title_en="Certificate in Garment Sewing Techniques",
        title_zh="成衣縫紉技術證書",
        level=2,
        credits=3,
        area="Design",
        outcomes_en=(
            "Operate industrial lockstitch and overlock machines safely.",
            "Assemble a lined garment to a given quality standard.",
        ),
        outcomes_zh=(
            "安全操作工業平車及拷邊機。",
            "按指定品質標準縫製有裏布的成衣。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_NO_ID,
        mode=DeliveryMode.ONSITE,
        fee=2600,
        valid_from=-150,
        valid_to=950,
        languages=("yue",),
    ),
    _mc(
        registration_number="25/005505/L5",
        topic=FASHION,
        provider=ATELIER_EAST,
        title_en="Professional Certificate in Digital Fashion and 3D Garment Simulation",
        title_zh="數碼時裝及立體成衣模擬專業證書",
        level=5,
        credits=9,
        area="Design",
        outcomes_en=(
            "Create 3D garment prototypes from 2D patterns in simulation software.",
            "Produce virtual samples and look-books for e-commerce.",
            "Evaluate how digital sampling changes cost and lead time.",
        ),
        outcomes_zh=(
            "以模擬軟件把平面紙樣轉為立體成衣原型。",
            "製作虛擬樣衣及電子商貿造型冊。",
            "評估數碼打樣對成本及生產周期的影響。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.UNSUPERVISED,
        mode=DeliveryMode.ONLINE,
        fee=9800,
        status=CredentialStatus.NOT_APPROVED,
    ),
    _mc(
        registration_number="21/005506/L3",
        topic=FASHION,
        provider=ATELIER_EAST,
        title_en="Certificate in Knitwear Design",
        title_zh="針織服裝設計證書",
        level=3,
        credits=6,
        area="Design",
        outcomes_en=(
            "Design knit structures and swatches for a small knitwear range.",
            "Write a technical specification a knitting factory can produce from.",
        ),
        outcomes_zh=(
            "為小型針織系列設計織法結構及樣片。",
            "撰寫可供針織廠生產的技術規格。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=4800,
        valid_from=-1500,
        valid_to=300,
        status=CredentialStatus.WITHDRAWN,
        status_reason="Withdrawn by the provider: the programme is no longer offered.",
    ),
    # --- Ageing and elderly care ---------------------------------------------------
    _mc(
        registration_number="24/006601/L4",
        topic=ELDERLY_CARE,
        provider=JADE_HILL,
        title_en="Certificate in Dementia Care Practice",
        title_zh="認知障礙症照顧實務證書",
        level=4,
        credits=10,
        area="Medicine",
        outcomes_en=(
            "Recognise the stages of dementia and their effect on daily living.",
            "Apply person-centred communication with people living with dementia.",
            "Plan activities that reduce distress and support remaining abilities.",
        ),
        outcomes_zh=(
            "識別認知障礙症各階段及其對日常生活的影響。",
            "與認知障礙症患者進行以人為本的溝通。",
            "策劃可減輕困擾並支援餘存能力的活動。",
        ),
        assessment=PLACEMENT_AND_OBSERVATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=6800,
        valid_from=-420,
        valid_to=680,
        cef=True,
        stackable=True,
        languages=("yue", "zh-hant"),
    ),
    _mc(
        registration_number="24/006602/L4",
        topic=ELDERLY_CARE,
        provider=JADE_HILL,
        title_en="Certificate in Fall Prevention and Mobility Support for Older Adults",
        title_zh="長者防跌及活動能力支援證書",
        level=4,
        credits=8,
        area="Medicine",
        outcomes_en=(
            "Carry out a falls risk screening with a validated tool.",
            "Assist older adults with transfers and walking aids safely.",
        ),
        outcomes_zh=(
            "以經驗證的工具進行跌倒風險篩查。",
            "安全協助長者轉移及使用助行器具。",
        ),
        assessment=PLACEMENT_AND_OBSERVATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=5400,
        valid_from=-400,
        valid_to=700,
        stackable=True,
        languages=("yue", "zh-hant"),
    ),
    _mc(
        registration_number="24/006603/L4",
        topic=ELDERLY_CARE,
        provider=JADE_HILL,
        title_en="Certificate in Palliative and End-of-Life Care",
        title_zh="紓緩及臨終照顧證書",
        level=4,
        credits=10,
        area="Medicine",
        outcomes_en=(
            "Support comfort and symptom management in the last phase of life.",
            "Communicate with families about advance care planning.",
            "Reflect on personal responses to loss and practise self-care.",
        ),
        outcomes_zh=(
            "在生命最後階段支援舒適護理及症狀處理。",
            "與家屬溝通預設照顧計劃。",
            "反思個人面對失去的反應並實踐自我關顧。",
        ),
        assessment=PLACEMENT_AND_OBSERVATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=6800,
        valid_from=-380,
        valid_to=720,
        stackable=True,
        languages=("yue", "zh-hant"),
    ),
    _mc(
        registration_number="24/006604/L3",
        topic=ELDERLY_CARE,
        provider=JADE_HILL,
        title_en="Certificate in Nutrition and Dysphagia Care for Older Persons",
        title_zh="長者營養及吞嚥困難護理證書",
        level=3,
        credits=6,
        area="Medicine",
        outcomes_en=(
            "Identify signs of malnutrition and swallowing difficulty.",
            "Prepare texture-modified meals to a recognised framework.",
        ),
        outcomes_zh=(
            "識別營養不良及吞嚥困難的徵狀。",
            "按認可框架預備調整質地的餐膳。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=3600,
        valid_from=-360,
        valid_to=740,
        cef=True,
        stackable=True,
        languages=("yue",),
    ),
    _mc(
        registration_number="23/006605/L2",
        topic=ELDERLY_CARE,
        provider=JADE_HILL,
        title_en="Certificate in Personal Care Work in Residential Care Homes",
        title_zh="院舍個人照顧工作證書",
        level=2,
        credits=5,
        area="SocialWork",
        outcomes_en=(
            "Assist residents with bathing, dressing, feeding and toileting with dignity.",
            "Follow infection-control and medication-safety procedures.",
            "Report changes in a resident's condition accurately and promptly.",
        ),
        outcomes_zh=(
            "有尊嚴地協助院友沐浴、穿衣、進食及如廁。",
            "遵從感染控制及用藥安全程序。",
            "準確及迅速報告院友的狀況變化。",
        ),
        assessment=PLACEMENT_AND_OBSERVATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=2800,
        valid_from=-1050,
        valid_to=45,
        cef=True,
        languages=("yue",),
    ),
    _mc(
        registration_number="25/006606/L5",
        topic=ELDERLY_CARE,
        provider=HARBOUR,
        title_en="Professional Certificate in Gerontechnology and Smart Ageing",
        title_zh="樂齡科技及智慧安老專業證書",
        level=5,
        credits=9,
        area="Engineering",
        outcomes_en=(
            "Evaluate assistive and monitoring technologies for older people's homes.",
            "Plan the introduction of a technology in a care setting, including training.",
            "Weigh safety, privacy and dignity when choosing remote-monitoring tools.",
        ),
        outcomes_zh=(
            "評估適用於長者家居的輔助及監察科技。",
            "規劃於照顧環境引入科技的方案，包括員工培訓。",
            "在選擇遙距監察工具時權衡安全、私隱及尊嚴。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=9600,
        valid_from=-330,
        valid_to=770,
        stackable=True,
    ),
    _mc(
        registration_number="26/006607/L3",
        topic=ELDERLY_CARE,
        provider=JADE_HILL,
        title_en="Certificate in Community Care Case Coordination",
        title_zh="社區照顧個案統籌證書",
        level=3,
        credits=6,
        area="SocialWork",
        outcomes_en=(
            "Assess an older person's care needs with a standardised tool.",
            "Coordinate community services into a care plan with the family.",
        ),
        outcomes_zh=(
            "以標準化工具評估長者的照顧需要。",
            "與家屬協調社區服務並制定照顧計劃。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_NO_ID,
        mode=DeliveryMode.BLENDED,
        fee=4200,
        status=CredentialStatus.SUBMITTED,
        languages=("yue", "zh-hant"),
    ),
    # --- Architecture and the built environment ------------------------------------
    _mc(
        registration_number="24/007701/L4",
        topic=ARCHITECTURE,
        provider=CORNERSTONE,
        title_en="Certificate in Building Information Modelling (BIM) Practice",
        title_zh="建築信息模擬實務證書",
        level=4,
        credits=9,
        area="Building",
        outcomes_en=(
            "Build architectural and structural models in BIM authoring software.",
            "Coordinate models across disciplines and resolve clashes.",
            "Produce drawings and schedules that meet a BIM execution plan.",
        ),
        outcomes_zh=(
            "以建築信息模擬軟件建立建築及結構模型。",
            "協調跨專業模型並解決碰撞問題。",
            "按建築信息模擬執行計劃製作圖則及明細表。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=9200,
        valid_from=-520,
        valid_to=580,
        cef=True,
        stackable=True,
    ),
    _mc(
        registration_number="24/007702/L5",
        topic=ARCHITECTURE,
        provider=CORNERSTONE,
        title_en="Professional Certificate in Sustainable Building Design and Green Rating",
        title_zh="可持續建築設計及綠色評級專業證書",
        level=5,
        credits=12,
        area="Building",
        outcomes_en=(
            "Apply passive design strategies for Hong Kong's hot and humid climate.",
            "Estimate a building's energy use and embodied carbon at design stage.",
            "Prepare evidence for a green building rating assessment.",
        ),
        outcomes_zh=(
            "為香港濕熱氣候應用被動式設計策略。",
            "在設計階段估算建築物能源消耗及隱含碳。",
            "為綠色建築評級評估準備證明文件。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=13800,
        valid_from=-480,
        valid_to=620,
        stackable=True,
    ),
    _mc(
        registration_number="23/007703/L3",
        topic=ARCHITECTURE,
        provider=CORNERSTONE,
        title_en="Certificate in Architectural Drafting with CAD",
        title_zh="電腦輔助建築繪圖證書",
        level=3,
        credits=6,
        area="Building",
        outcomes_en=(
            "Produce plans, sections and elevations to drawing conventions.",
            "Manage layers, blocks and sheet sets in a CAD package.",
        ),
        outcomes_zh=(
            "按繪圖規範繪製平面圖、剖面圖及立面圖。",
            "於電腦輔助設計軟件管理圖層、圖塊及圖紙集。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=4400,
        valid_from=-760,
        valid_to=340,
        cef=True,
    ),
    _mc(
        registration_number="24/007704/L6",
        topic=ARCHITECTURE,
        provider=CORNERSTONE,
        title_en="Postgraduate Certificate in Heritage Conservation and Adaptive Reuse",
        title_zh="文物保育及活化再利用深造證書",
        level=6,
        credits=15,
        area="Building",
        outcomes_en=(
            "Assess the cultural significance of a historic building.",
            "Develop an adaptive reuse scheme that meets current building regulations.",
            "Critically evaluate conservation approaches in Hong Kong and the region.",
        ),
        outcomes_zh=(
            "評估歷史建築的文化價值。",
            "制定符合現行建築規例的活化再利用方案。",
            "批判評估香港及區內的保育方法。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=24000,
        valid_from=-1070,
        valid_to=25,
        languages=("en",),
        prerequisites="A bachelor's degree in architecture, surveying or a related discipline.",
    ),
    _mc(
        registration_number="22/007705/L4",
        topic=ARCHITECTURE,
        provider=CORNERSTONE,
        title_en="Certificate in Building Maintenance and Inspection",
        title_zh="樓宇維修及檢驗證書",
        level=4,
        credits=6,
        area="Building",
        outcomes_en=(
            "Carry out a visual inspection of common parts and record defects.",
            "Plan preventive maintenance for an ageing residential building.",
        ),
        outcomes_zh=(
            "目視檢驗公用部分並記錄損壞。",
            "為老化住宅樓宇規劃預防性維修。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=5200,
        valid_from=-1295,
        valid_to=-200,
        status=CredentialStatus.EXPIRED,
        cef=True,
    ),
    _mc(
        registration_number="25/007706/L5",
        topic=ARCHITECTURE,
        provider=CORNERSTONE,
        title_en="Certificate in Modular Integrated Construction Design",
        title_zh="組裝合成建築法設計證書",
        level=5,
        credits=9,
        area="Building",
        outcomes_en=(
            "Design building layouts around volumetric modules and transport limits.",
            "Detail connections, fire separation and services between modules.",
        ),
        outcomes_zh=(
            "按立體組件及運輸限制設計建築布局。",
            "設計組件之間的接駁、防火分隔及屋宇設備。",
        ),
        assessment=PROJECT_AND_PRESENTATION,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=11600,
        status=CredentialStatus.DRAFT,
    ),
    # --- Aviation ------------------------------------------------------------------
    _mc(
        registration_number="24/008801/L3",
        topic=AVIATION,
        provider=SKYLINE,
        title_en="Certificate in Airport Ground Services Operations",
        title_zh="機場地勤服務運作證書",
        level=3,
        credits=6,
        area="Business",
        outcomes_en=(
            "Handle passenger check-in, boarding and irregular operations.",
            "Apply ramp safety rules and dangerous goods acceptance checks.",
        ),
        outcomes_zh=(
            "處理旅客登記、登機及航班異常運作。",
            "應用停機坪安全規則及危險品收運檢查。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=4800,
        valid_from=-430,
        valid_to=670,
        cef=True,
    ),
    _mc(
        registration_number="24/008802/L4",
        topic=AVIATION,
        provider=SKYLINE,
        title_en="Certificate in Aircraft Maintenance Fundamentals",
        title_zh="飛機維修基礎證書",
        level=4,
        credits=12,
        area="Engineering",
        outcomes_en=(
            "Explain airframe, powerplant and avionics systems of transport aircraft.",
            "Use maintenance manuals and record work to airworthiness requirements.",
            "Apply human-factors principles to prevent maintenance error.",
        ),
        outcomes_zh=(
            "解釋運輸機的機身、動力裝置及航空電子系統。",
            "按適航要求使用維修手冊及記錄工作。",
            "應用人為因素原則以防止維修錯誤。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=14200,
        valid_from=-560,
        valid_to=540,
        languages=("en", "yue"),
    ),
    _mc(
        registration_number="23/008803/L4",
        topic=AVIATION,
        provider=SKYLINE,
        title_en="Certificate in Aviation Safety Management Systems",
        title_zh="航空安全管理系統證書",
        level=4,
        credits=6,
        area="Business",
        outcomes_en=(
            "Describe the four components of a safety management system.",
            "Conduct a hazard identification and risk assessment for a ground operation.",
            "Investigate an occurrence report and recommend corrective actions.",
        ),
        outcomes_zh=(
            "描述安全管理系統的四個組成部分。",
            "為地面運作進行危害識別及風險評估。",
            "調查事故報告並建議糾正措施。",
        ),
        assessment=CASE_STUDY_AND_TEST,
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        mode=DeliveryMode.BLENDED,
        fee=5600,
        valid_from=-1015,
        valid_to=80,
    ),
    _mc(
        registration_number="24/008804/L2",
        topic=AVIATION,
        provider=SKYLINE,
        title_en="Certificate in Cabin Service and Passenger Care",
        title_zh="客艙服務及乘客關顧證書",
        level=2,
        credits=4,
        area="Business",
        outcomes_en=(
            "Deliver in-flight service to a given standard in English and Cantonese.",
            "Assist passengers with reduced mobility and unaccompanied minors.",
        ),
        outcomes_zh=(
            "以英語及粵語按指定標準提供機上服務。",
            "協助行動不便乘客及無人陪伴兒童。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=3400,
        valid_from=-280,
        valid_to=820,
        cef=True,
    ),
    _mc(
        registration_number="24/008805/L5",
        topic=AVIATION,
        provider=SKYLINE,
        title_en="Professional Certificate in Air Cargo and Logistics Management",
        title_zh="航空貨運及物流管理專業證書",
        level=5,
        credits=9,
        area="Business",
        outcomes_en=(
            "Plan air cargo capacity, pricing and routing for a forwarder.",
            "Manage customs, security and temperature-controlled shipments.",
            "Evaluate a hub's role in regional supply chains.",
        ),
        outcomes_zh=(
            "為貨運代理規劃航空貨運運力、定價及航線。",
            "管理清關、保安及溫控貨件。",
            "評估樞紐機場在區域供應鏈中的角色。",
        ),
        assessment=COURSEWORK_AND_EXAM,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=10800,
        valid_from=-310,
        valid_to=790,
    ),
    _mc(
        registration_number="21/008806/L3",
        topic=AVIATION,
        provider=SKYLINE,
        title_en="Certificate in Airline Reservation Systems",
        title_zh="航空訂位系統證書",
        level=3,
        credits=3,
        area="Business",
        outcomes_en=(
            "Make, change and ticket bookings in a global distribution system.",
            "Apply fare rules to calculate fares for multi-sector journeys.",
        ),
        outcomes_zh=(
            "於全球分銷系統建立、更改及出票訂位。",
            "應用票價規則計算多航段行程的票價。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=2800,
        valid_from=-1110,
        valid_to=-15,
        status=CredentialStatus.EXPIRED,
        cef=True,
    ),
    _mc(
        registration_number="26/008807/L4",
        topic=AVIATION,
        provider=SKYLINE,
        title_en="Certificate in Unmanned Aircraft Systems Operations",
        title_zh="無人機系統操作證書",
        level=4,
        credits=6,
        area="Engineering",
        outcomes_en=(
            "Plan a drone flight within Hong Kong's small unmanned aircraft rules.",
            "Operate a drone for survey and inspection and process the captured data.",
        ),
        outcomes_zh=(
            "按香港小型無人機規例規劃飛行。",
            "操作無人機進行測量及檢查並處理所得數據。",
        ),
        assessment=PRACTICAL_AND_PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.ONSITE,
        fee=7800,
        status=CredentialStatus.SUBMITTED,
    ),
]

# Awards the micro-credentials stack into (see pathways.py). HKQF needs at least
# 60 QF credits for a Diploma, so both carry 60.
FINTECH_DIPLOMA = "24/009901/L5"
ELDERLY_CARE_HIGHER_CERTIFICATE = "24/009902/L4"
AWARDS: list[MicroCredential] = [
    _mc(
        registration_number=FINTECH_DIPLOMA,
        topic=FINANCE,
        provider=HARBOUR,
        kind=CredentialKind.QUALIFICATION,
        title_en="Professional Diploma in FinTech",
        title_zh="金融科技專業文憑",
        level=5,
        credits=60,
        area="AI",
        outcomes_en=(
            "Design FinTech solutions that combine data, distributed ledgers and AI.",
            "Assess FinTech products against regulatory and ethical requirements.",
            "Lead a cross-functional FinTech project from proposal to pilot.",
        ),
        outcomes_zh=(
            "設計結合數據、分佈式分類帳及人工智能的金融科技方案。",
            "按監管及倫理要求評估金融科技產品。",
            "帶領跨部門金融科技項目由建議至試行。",
        ),
        assessment="Assessed through its four component certificates",
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=60000,
        valid_from=-500,
        valid_to=600,
    ),
    _mc(
        registration_number=ELDERLY_CARE_HIGHER_CERTIFICATE,
        topic=ELDERLY_CARE,
        provider=JADE_HILL,
        kind=CredentialKind.QUALIFICATION,
        title_en="Higher Certificate in Elderly Care Services",
        title_zh="長者照顧服務高級證書",
        level=4,
        credits=60,
        area="Medicine",
        outcomes_en=(
            "Provide safe, person-centred care for older people in homes and the community.",
            "Work within a multidisciplinary team and the relevant codes of practice.",
            "Supervise junior care workers in daily care routines.",
        ),
        outcomes_zh=(
            "在院舍及社區為長者提供安全及以人為本的照顧。",
            "在跨專業團隊中按相關實務守則工作。",
            "督導初級照顧員執行日常照顧工作。",
        ),
        assessment="Component certificates plus a 120-hour supervised practicum",
        supervision=Supervision.SUPERVISED_ONSITE_ID,
        mode=DeliveryMode.BLENDED,
        fee=32000,
        valid_from=-450,
        valid_to=650,
        languages=("yue", "zh-hant"),
    ),
]


def micro_credential_history(spec: MicroCredential, ctx: SeedContext) -> list[StatusStep]:
    """Return the plausible recorded path from draft to an entry's current status."""
    status = spec.status
    if status == CredentialStatus.DRAFT:
        return []
    if status in IN_PIPELINE:
        submitted, opened, decided = -40, -30, -5
        if status == CredentialStatus.SUBMITTED:
            submitted = -14
        elif status == CredentialStatus.UNDER_REVIEW:
            submitted, opened = -21, -12
    else:
        submitted, opened, decided = spec.valid_from - 75, spec.valid_from - 60, spec.valid_from
    steps = [
        StatusStep(
            CredentialStatus.DRAFT,
            CredentialStatus.SUBMITTED,
            StatusSource.MANUAL,
            ctx.moment(submitted),
            "Submitted by the provider.",
        )
    ]
    if status == CredentialStatus.SUBMITTED:
        return steps
    steps.append(
        StatusStep(
            CredentialStatus.SUBMITTED,
            CredentialStatus.UNDER_REVIEW,
            StatusSource.MANUAL,
            ctx.moment(opened),
            "Review opened.",
        )
    )
    if status == CredentialStatus.UNDER_REVIEW:
        return steps
    decision = status if status in IN_PIPELINE else CredentialStatus.REGISTERED
    steps.append(
        StatusStep(
            CredentialStatus.UNDER_REVIEW,
            decision,
            StatusSource.REVIEW_DECISION,
            ctx.moment(decided),
        )
    )
    if status == CredentialStatus.EXPIRED:
        steps.append(
            StatusStep(
                CredentialStatus.REGISTERED,
                CredentialStatus.EXPIRED,
                StatusSource.STATUS_CHECK,
                ctx.moment(spec.valid_to + 1, hour=2),
                "Validity period ended.",
            )
        )
    elif status in (CredentialStatus.WITHDRAWN, CredentialStatus.SUSPENDED):
        steps.append(
            StatusStep(
                CredentialStatus.REGISTERED,
                status,
                StatusSource.MANUAL,
                ctx.moment(-30 if status == CredentialStatus.WITHDRAWN else -12),
                spec.status_reason,
            )
        )
    return steps


ACCREDITATION_STATUS = {
    CredentialStatus.REGISTERED: AccreditationStatus.CURRENT,
    CredentialStatus.SUSPENDED: AccreditationStatus.CURRENT,
    CredentialStatus.EXPIRED: AccreditationStatus.LAPSED,
    CredentialStatus.WITHDRAWN: AccreditationStatus.WITHDRAWN,
}


def _credential_row(
    spec: MicroCredential,
    *,
    providers: dict[str, Provider],
    levels: dict[str, Level],
    areas: dict[str, AreaOfStudy],
    ctx: SeedContext,
) -> dict[str, Any]:
    history = micro_credential_history(spec, ctx)
    return {
        "registration_number": spec.registration_number,
        "kind": spec.kind,
        "title_en": spec.title_en,
        "title_zh": spec.title_zh,
        "qualification_type": (
            "Micro-credential" if spec.kind == CredentialKind.MICRO_CREDENTIAL else ""
        ),
        "provider_id": providers[spec.provider].pk,
        "awarding_body_id": None,
        "level_id": levels[str(spec.level)].pk,
        "area_of_study_id": areas[spec.area].pk,
        "credits": Decimal(spec.credits),
        "notional_hours": spec.credits * HOURS_PER_QF_CREDIT,
        "learning_outcomes_en": list(spec.outcomes_en),
        "learning_outcomes_zh": list(spec.outcomes_zh),
        "assessment_type": spec.assessment,
        "supervision": spec.supervision,
        "mode_of_delivery": spec.mode,
        "quality_assurance_type": f"External accreditation ({HKCAAVQ})",
        "prerequisites": spec.prerequisites,
        "languages": list(spec.languages),
        "stackable": spec.stackable,
        "fee": Decimal(spec.fee),
        "fee_currency": "HKD",
        "quality_marks": [QualityMark.CEF] if spec.cef else [],
        "valid_from": ctx.day(spec.valid_from),
        "valid_to": ctx.day(spec.valid_to),
        "status": spec.status,
        "status_changed_at": history[-1].at if history else None,
    }


def seed_micro_credentials(
    *, ctx: SeedContext, providers: dict[str, Provider]
) -> dict[str, Credential]:
    """Upsert the invented micro-credentials and awards; return them by registration number."""
    specs = {spec.registration_number: spec for spec in [*MICRO_CREDENTIALS, *AWARDS]}
    levels = {level.code: level for level in Level.objects.filter(framework__code="HKQF")}
    areas = {a.code: a for a in AreaOfStudy.objects.filter(scheme=AreaScheme.HK_PROGRAMME)}
    rows = [
        _credential_row(spec, providers=providers, levels=levels, areas=areas, ctx=ctx)
        for spec in specs.values()
    ]
    credentials = upsert_credentials(
        rows,
        history=lambda row: micro_credential_history(specs[row["registration_number"]], ctx),
        ctx=ctx,
        label="HK micro-credentials and awards",
    )
    # Imported here: the review specs import this module's accreditor name.
    from .reviews import APPROVED_BY_REVIEW

    accreditations = [
        {
            "credential_id": credentials[number].pk,
            "accreditor": HKCAAVQ,
            "reference": "",
            "valid_from": ctx.day(spec.valid_from),
            "valid_to": ctx.day(spec.valid_to),
            "status": ACCREDITATION_STATUS[spec.status],
            "source": (
                StatusSource.REVIEW_DECISION
                if number in APPROVED_BY_REVIEW
                else StatusSource.MANUAL
            ),
        }
        for number, spec in specs.items()
        if spec.status in ACCREDITATION_STATUS
    ]
    upsert_by_fields(
        AccreditationRecord,
        accreditations,
        key_fields=["credential_id", "accreditor"],
        report=ctx.report,
        label="accreditation records",
    )
    return credentials
