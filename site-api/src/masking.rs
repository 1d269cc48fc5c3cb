//! How a person's name is masked before publication (张某某).

/// Two-character surnames, kept whole when masking (the common ones in use today).
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "轩辕", "端木", "独孤", "南宫", "西门", "万俟", "闻人", "澹台", "申屠", "太史",
    "钟离", "呼延",
];

/// Masks a natural person's name for publication as agencies do: the surname stays, every
/// other character becomes 某 ("张三丰" → "张某某", "欧阳修" → "欧阳某"). A name that is not
/// written in Chinese characters keeps its first letter only.
pub fn mask_person_name(name: &str) -> String {
    let name = name.trim();
    let chinese = name
        .chars()
        .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '·');
    if !chinese || name.is_empty() {
        return name
            .chars()
            .next()
            .map(|c| format!("{c}某"))
            .unwrap_or_default();
    }
    let surname = COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(*s) && name.chars().count() > 2)
        .map(|s| s.to_string())
        .unwrap_or_else(|| name.chars().take(1).collect());
    let hidden = (name.chars().count() - surname.chars().count()).max(1);
    format!("{surname}{}", "某".repeat(hidden))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_surname_only() {
        assert_eq!(mask_person_name("张三"), "张某");
        assert_eq!(mask_person_name("张三丰"), "张某某");
        assert_eq!(mask_person_name("欧阳修"), "欧阳某");
        assert_eq!(
            mask_person_name("欧阳"),
            "欧某",
            "a two-character name is surname + given name"
        );
        assert_eq!(mask_person_name(" 李 "), "李某");
        assert_eq!(mask_person_name("John Smith"), "J某");
    }
}
