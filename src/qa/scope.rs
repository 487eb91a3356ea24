//! Questions outside the knowledge base's remit that employees often bring to a
//! market-regulation bot (certification, trademarks, licences...). When a question
//! names one of these and the best entry does not, the bot abstains and says where to
//! ask instead of offering a loosely related standards answer.

use std::sync::LazyLock;

use regex::Regex;

use super::synonyms::contains_word;

/// A neighbouring subject with the words that signal it and where to ask about it.
#[derive(Debug, PartialEq, Eq)]
pub struct Redirect {
    pub topic: &'static str,
    pub topic_en: &'static str,
    pub hint: &'static str,
    pub hint_en: &'static str,
    /// Folded (lower-case) words; a match on any one is enough.
    cues: &'static [&'static str],
}

impl Redirect {
    /// The cues of this subject found in the folded query.
    pub fn cues_in<'a>(&self, folded: &'a str) -> impl Iterator<Item = &'static str> + 'a {
        let cues = self.cues;
        cues.iter()
            .copied()
            .filter(move |cue| contains_word(folded, cue))
    }
}

pub const REDIRECTS: &[Redirect] = &[
    Redirect {
        topic: "认证认可",
        topic_en: "certification",
        hint: "产品认证、管理体系认证（如CCC、CE、ISO 9001认证）不属于标准化知识库的范围，请咨询经批准的认证机构，或在国家认证认可监督管理委员会网站查询。",
        hint_en: "Product and management-system certification (CCC, CE, ISO 9001 certification and the like) is outside this knowledge base; ask an accredited certification body or see the website of the Certification and Accreditation Administration (CNCA).",
        cues: &[
            "认证", "3c", "ccc", "审核员", "内审员", "外审", "获证", "发证",
            "certification", "certified", "certify", "ce mark", "ce marking", "auditor",
        ],
    },
    Redirect {
        topic: "检验检测",
        topic_en: "inspection and testing",
        hint: "检验检测机构资质（CMA、CNAS等）和检测报告的问题，请查询市场监管部门公布的检验检测机构信息或咨询检测机构。",
        hint_en: "Questions about testing laboratories (CMA, CNAS) and test reports are outside this knowledge base; check the laboratory registers published by market regulators or ask the laboratory.",
        cues: &[
            "检测报告", "检验报告", "检测机构", "检验机构", "送检", "抽检", "cma", "cnas",
            "test report", "testing lab", "laboratory",
        ],
    },
    Redirect {
        topic: "计量",
        topic_en: "metrology",
        hint: "计量器具的检定、校准问题请咨询当地计量检定机构或区市场监督管理局。",
        hint_en: "Verification and calibration of measuring instruments are outside this knowledge base; ask a local metrology institute or the district market-regulation bureau.",
        cues: &[
            "检定", "校准", "计量器具", "电子秤", "衡器", "加油机", "calibration", "calibrate",
            "measuring instrument",
        ],
    },
    Redirect {
        topic: "知识产权",
        topic_en: "intellectual property",
        hint: "商标、专利、版权等知识产权事务请咨询国家知识产权局、上海市知识产权局或版权管理部门。",
        hint_en: "Trademarks, patents and copyright are outside this knowledge base; ask the China National Intellectual Property Administration, the Shanghai IP office or the copyright authorities.",
        cues: &[
            "商标", "专利", "版权", "著作权", "知识产权", "trademark", "patent", "copyright",
        ],
    },
    Redirect {
        topic: "登记注册与许可",
        topic_en: "registration and licences",
        hint: "企业登记注册、经营许可等事项请通过“一网通办”或区市场监督管理局窗口办理、咨询。",
        hint_en: "Company registration and business permits are outside this knowledge base; use the “Yiwangtongban” online service or the district market-regulation bureau's service window.",
        cues: &[
            "营业执照", "注册公司", "公司注册", "工商登记", "经营范围", "经营许可", "生产许可",
            "许可证", "business licence", "business license", "register a company",
        ],
    },
    Redirect {
        topic: "食品药品安全",
        topic_en: "food and drug safety",
        hint: "食品、药品、化妆品、医疗器械的许可和安全问题请咨询市场监管部门或药品监管部门相应窗口。",
        hint_en: "Food, drug, cosmetics and medical-device safety and permits are outside this knowledge base; ask the market or drug regulators' service windows.",
        cues: &[
            "食品安全", "食品经营", "食品生产", "药品", "化妆品", "医疗器械", "保健品",
            "food safety", "food licence", "food license", "drug", "cosmetic", "medical device",
        ],
    },
    Redirect {
        topic: "税务社保",
        topic_en: "tax and social insurance",
        hint: "税务、社保、公积金问题请咨询税务部门或人力资源和社会保障部门。",
        hint_en: "Tax, social insurance and housing-fund questions are outside this knowledge base; ask the tax office or the human-resources and social-security bureau.",
        cues: &[
            "个税", "个人所得税", "纳税", "退税", "发票", "社保", "公积金", "加计扣除",
            "income tax", "tax", "invoice", "social insurance",
        ],
    },
    Redirect {
        topic: "价格与广告",
        topic_en: "prices and advertising",
        hint: "价格、收费和广告问题请拨打12315或向区市场监督管理局反映。",
        hint_en: "Prices, fees and advertising are outside this knowledge base; call 12315 or contact the district market-regulation bureau.",
        cues: &[
            "价格", "标价", "明码标价", "乱收费", "广告", "虚假宣传", "price", "prices", "pricing",
            "advertising", "advertisement",
        ],
    },
    Redirect {
        topic: "消费维权",
        topic_en: "consumer complaints",
        hint: "消费纠纷和维权请拨打12315或登录全国12315平台。",
        hint_en: "Consumer disputes are outside this knowledge base; call 12315 or use the national 12315 platform.",
        cues: &["退货", "退款", "维权", "消费纠纷", "12315", "refund", "consumer complaint"],
    },
    Redirect {
        topic: "特种设备",
        topic_en: "special equipment",
        hint: "电梯、锅炉、压力容器等特种设备的安全问题请咨询区市场监督管理局特种设备安全监察部门。",
        hint_en: "Lifts, boilers, pressure vessels and other special equipment are outside this knowledge base; ask the special-equipment safety department of the district market-regulation bureau.",
        cues: &[
            "特种设备", "电梯", "锅炉", "压力容器", "起重机", "叉车", "elevator", "boiler",
            "forklift", "pressure vessel",
        ],
    },
    Redirect {
        topic: "职称与培训",
        topic_en: "professional titles and training courses",
        hint: "职称评定、职业资格和培训报名请咨询人力资源和社会保障部门或培训机构。",
        hint_en: "Professional titles, qualifications and course enrolment are outside this knowledge base; ask the human-resources and social-security bureau or the training provider.",
        cues: &["职称", "工程师证", "职业资格", "报名费", "培训班", "培训费", "job title"],
    },
];

/// A named standard's designation (`GB 2760`, `ISO 9001`, `EN 71-3`): questions about
/// its technical content are outside the knowledge base.
static DESIGNATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^a-z0-9/])(gb(?:/[tz])?|jb|hg|qb|fz|sj|yy|db\d{2}(?:/t)?|iso(?:/iec)?|iec|en|astm|din|jis|ansi|ieee|ul|bs)\s*/?\s*(\d{2,6})")
        .expect("designation pattern")
});

pub static DESIGNATION_HINT: Redirect = Redirect {
    topic: "具体标准的技术内容",
    topic_en: "the content of a specific standard",
    hint: "知识库讲的是标准化基础知识，不含具体标准的技术条款和指标。请到全国标准信息公共服务平台（www.std.gov.cn）查询该标准；按《标准化法》第十七条，强制性标准文本应当免费向社会公开。",
    hint_en: "This knowledge base covers standardization basics, not the clauses or limits of individual standards. Look the standard up on the national public service platform for standards information (www.std.gov.cn); under Article 17 of the Standardization Law, the texts of mandatory standards shall be made available to the public free of charge.",
    cues: &[],
};

/// The subjects a (folded) query names.
pub fn subjects(folded: &str) -> impl Iterator<Item = &'static Redirect> + '_ {
    REDIRECTS
        .iter()
        .filter(move |r| r.cues_in(folded).next().is_some())
}

/// The first neighbouring subject or named standard a folded query mentions, for the
/// hint shown when the bot abstains anyway.
pub fn named(folded: &str) -> Option<&'static Redirect> {
    subjects(folded)
        .next()
        .or_else(|| (!designations(folded).is_empty()).then_some(&DESIGNATION_HINT))
}

/// Words that show a question is about how a designation is written, which the
/// knowledge base does cover, rather than about the named standard's content.
const NUMBERING_WORDS: &[&str] = &[
    "编号",
    "代号",
    "年号",
    "顺序号",
    "号码",
    "字母",
    "斜杠",
    "怎么读",
    "怎么看",
    "组成",
    "numbering",
    "number",
    "designation",
    "prefix",
    "code",
];

/// The number parts of the standard designations in a folded query (`2760` for
/// `GB 2760`), unless the question is about the designation's format itself.
pub fn designations(folded: &str) -> Vec<&str> {
    if NUMBERING_WORDS.iter().any(|w| contains_word(folded, w)) {
        return Vec::new();
    }
    DESIGNATION
        .captures_iter(folded)
        .filter_map(|c| c.get(2).map(|m| m.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_cues_match_whole_words_only() {
        assert!(contains_word("how much income tax", "tax"));
        assert!(!contains_word("standards taxonomy", "tax"));
        assert!(contains_word("3c认证要多久", "认证"));
    }

    #[test]
    fn designations_are_found_with_or_without_spaces() {
        assert_eq!(designations("gb 2760里山梨酸钾限量"), vec!["2760"]);
        assert_eq!(designations("iso9001和gb/t 19001"), vec!["9001", "19001"]);
        assert!(designations("标准化法第十条").is_empty());
        assert!(designations("gb/t 19001—2016这个编号怎么读").is_empty());
    }
}
