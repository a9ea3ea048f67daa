use super::*;
use jiff::civil::date;

fn publisher() -> Publisher {
    Publisher {
        prefix: "360G-localvision".to_string(),
        title: "Local Vision".to_string(),
    }
}

fn org(org_id: &str, name: &str) -> Org {
    Org {
        org_id: org_id.to_string(),
        name: name.to_string(),
    }
}

fn area(ons_code: &str, name: &str) -> Area {
    Area {
        ons_code: ons_code.to_string(),
        name: name.to_string(),
    }
}

fn grant(reference: &str, amount: Pence) -> Grant {
    Grant {
        reference: reference.to_string(),
        title: "Leading for health in York".to_string(),
        description: "A year of leadership support for the place's partners.".to_string(),
        amount,
        // 5pm in London in June is 4pm UTC.
        award_date: Timestamp::from_london(2013, 6, 10, 17, 0, 0).unwrap(),
        planned_start: date(2013, 9, 1),
        planned_end: date(2014, 8, 31),
        recipient: org("GB-LAE-YOR", "City of York Council"),
        funders: vec![org("GB-GOR-PB188", "Public Health England")],
        areas: vec![area("E06000014", "York")],
        programme: "Local Vision".to_string(),
    }
}

/// Six partner bodies and three councils of different kinds.
fn pooled_grant() -> Grant {
    Grant {
        funders: vec![
            org("GB-GOR-PB188", "Public Health England"),
            org("GB-GOR-PB145", "NHS England"),
            org("GB-CHC-1143237", "The Health Foundation"),
            org("GB-GOR-PB219", "Local Government Association"),
            org("GB-COH-02823813", "NHS Confederation"),
            org("GB-CHC-207930", "The King's Fund"),
        ],
        areas: vec![
            area("E06000014", "York"),
            area("E07000163", "Craven"),
            area("E08000035", "Leeds"),
        ],
        ..grant("LV-2013-0013", Pence(3_500_050))
    }
}

/// Grants from the start of a package, as JSON objects.
fn grants_of(package: &Value) -> &Vec<Value> {
    package["grants"].as_array().unwrap()
}

#[test]
fn a_grant_id_is_the_prefix_a_dash_and_the_reference() {
    assert_eq!(
        grant_id("360G-localvision", "LV-2013-0012"),
        "360G-localvision-LV-2013-0012"
    );
    let p = package(&publisher(), &[grant("LV-2013-0012", Pence::pounds(35_000))]).unwrap();
    assert_eq!(grants_of(&p)[0]["id"], "360G-localvision-LV-2013-0012");
}

#[test]
fn a_prefix_without_360g_is_refused() {
    for prefix in ["localvision", "360G-", "360g-localvision"] {
        let publisher = Publisher {
            prefix: prefix.to_string(),
            ..publisher()
        };
        let err = package(&publisher, &[grant("LV-1", Pence(1))]).unwrap_err();
        assert_eq!(err, OpenDataError::BadPrefix(prefix.to_string()));
    }
}

#[test]
fn amounts_are_pounds_as_numbers() {
    let cases = [
        (3_500_000, "35000"),
        (3_500_050, "35000.5"),
        (3_500_001, "35000.01"),
        (5, "0.05"),
    ];
    for (pence, pounds) in cases {
        let p = package(&publisher(), &[grant("LV-1", Pence(pence))]).unwrap();
        let amount = &grants_of(&p)[0]["amountAwarded"];
        assert!(amount.is_number(), "{amount} is not a number");
        assert_eq!(amount.to_string(), pounds);
        let (header, rows) = table(&publisher(), &[grant("LV-1", Pence(pence))]).unwrap();
        let column = header.iter().position(|h| h == "Amount Awarded").unwrap();
        assert_eq!(rows[0][column], pounds);
    }
    let whole = package(&publisher(), &[grant("LV-1", Pence::pounds(35_000))]).unwrap();
    assert!(
        grants_of(&whole)[0]["amountAwarded"].is_i64(),
        "whole pounds are an integer"
    );
}

#[test]
fn the_package_carries_the_rest_of_what_the_standard_asks() {
    let p = package(&publisher(), &[grant("LV-2013-0012", Pence::pounds(35_000))]).unwrap();
    assert_eq!(p["version"], "1.4");
    assert_eq!(p["publisher"]["name"], "Local Vision");
    let g = &grants_of(&p)[0];
    assert_eq!(g["currency"], "GBP");
    assert_eq!(g["awardDate"], "2013-06-10T16:00:00Z");
    assert_eq!(
        g["plannedDates"],
        json!([{ "startDate": "2013-09-01", "endDate": "2014-08-31" }])
    );
    assert_eq!(
        g["recipientOrganization"],
        json!([{ "id": "GB-LAE-YOR", "name": "City of York Council" }])
    );
    assert_eq!(
        g["fundingOrganization"],
        json!([{ "id": "GB-GOR-PB188", "name": "Public Health England" }])
    );
    assert_eq!(
        g["beneficiaryLocation"],
        json!([{ "name": "York", "geoCode": "E06000014", "geoCodeType": "UA" }])
    );
    assert_eq!(g["grantProgramme"], json!([{ "title": "Local Vision" }]));
}

#[test]
fn councils_have_their_codelist_types_and_nothing_else_has_one() {
    assert_eq!(geo_code_type("E06000014"), Some("UA"));
    assert_eq!(geo_code_type("E07000163"), Some("NMD"));
    assert_eq!(geo_code_type("E08000035"), Some("MD"));
    assert_eq!(geo_code_type("E09000033"), Some("LONB"));
    // Integrated care boards and systems are not in the codelist.
    assert_eq!(geo_code_type("E54000005"), None);
    for malformed in [
        "E06",
        "E0600001",
        "E060000140",
        "e06000014",
        "E06 00014",
        "",
        "E06000O14",
    ] {
        assert_eq!(geo_code_type(malformed), None, "{malformed:?}");
    }
}

#[test]
fn the_geo_code_table_is_the_standards_codelist() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/external/360giving/codelists/geoCodeType.csv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut from_file = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        // Code,Title,Description,Documentation (URL),Values (URL): titles may hold quoted
        // commas, but the code comes first and the entity ends the documentation URL.
        let code = line.split(',').next().unwrap();
        let documentation = line.rsplit(',').nth(1).unwrap();
        let entity = documentation.rsplit('/').next().unwrap();
        from_file.push((entity.to_string(), code.to_string()));
    }
    let table: Vec<(String, String)> = GEO_CODE_TYPES
        .iter()
        .map(|(e, c)| (e.to_string(), c.to_string()))
        .collect();
    assert_eq!(table, from_file);
}

#[test]
fn no_grants_means_nothing_to_publish() {
    assert_eq!(package(&publisher(), &[]).unwrap_err(), OpenDataError::NoGrants);
    assert_eq!(table(&publisher(), &[]).unwrap_err(), OpenDataError::NoGrants);
    assert_eq!(
        OpenDataError::NoGrants.to_string(),
        "This programme has made no awards yet, so there is nothing to publish"
    );
}

#[test]
fn an_integrated_care_system_is_published_as_its_councils() {
    // Humber and North Yorkshire: the caller lists the place's councils.
    let councils = vec![
        area("E06000010", "Kingston upon Hull, City of"),
        area("E06000011", "East Riding of Yorkshire"),
        area("E06000014", "York"),
        area("E07000163", "Craven"),
    ];
    let ics = Grant {
        areas: councils,
        ..grant("LV-2013-0014", Pence::pounds(50_000))
    };
    let p = package(&publisher(), std::slice::from_ref(&ics)).unwrap();
    let locations = grants_of(&p)[0]["beneficiaryLocation"].as_array().unwrap();
    let codes: Vec<(&str, &str)> = locations
        .iter()
        .map(|l| (l["geoCode"].as_str().unwrap(), l["geoCodeType"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("E06000010", "UA"),
            ("E06000011", "UA"),
            ("E06000014", "UA"),
            ("E07000163", "NMD")
        ]
    );

    // The board's own code would need a type the codelist lacks: refused, not dropped.
    let board = Grant {
        areas: vec![area("E54000051", "Humber and North Yorkshire")],
        ..ics
    };
    let err = package(&publisher(), std::slice::from_ref(&board)).unwrap_err();
    assert_eq!(
        err,
        OpenDataError::UnknownGeoCode {
            grant: "360G-localvision-LV-2013-0014".to_string(),
            code: "E54000051".to_string(),
            name: "Humber and North Yorkshire".to_string(),
        }
    );
    assert!(err.to_string().contains("list the place's councils instead"));
    assert!(table(&publisher(), &[board]).is_err());
}

#[test]
fn six_funders_and_three_areas_are_all_published() {
    let grants = [grant("LV-2013-0012", Pence::pounds(35_000)), pooled_grant()];
    let p = package(&publisher(), &grants).unwrap();
    let pooled = &grants_of(&p)[1];
    let funders = pooled["fundingOrganization"].as_array().unwrap();
    assert_eq!(funders.len(), 6);
    assert_eq!(
        funders[5],
        json!({ "id": "GB-CHC-207930", "name": "The King's Fund" })
    );
    let types: Vec<&str> = pooled["beneficiaryLocation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["geoCodeType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["UA", "NMD", "MD"]);

    let (header, rows) = table(&publisher(), &grants).unwrap();
    let cell = |row: usize, title: &str| {
        let column = header
            .iter()
            .position(|h| h == title)
            .unwrap_or_else(|| panic!("no {title}"));
        rows[row][column].as_str()
    };
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert_eq!(cell(1, "Funding Org:0:Identifier"), "GB-GOR-PB188");
    assert_eq!(cell(1, "Funding Org:5:Name"), "The King's Fund");
    assert_eq!(cell(1, "Beneficiary Location:2:Geographic Code"), "E08000035");
    assert_eq!(cell(1, "Beneficiary Location:2:Geographic Code Type"), "MD");
    // The single-funder grant fills the first slot and leaves the others empty.
    assert_eq!(cell(0, "Funding Org:0:Name"), "Public Health England");
    assert_eq!(cell(0, "Funding Org:1:Identifier"), "");
    assert_eq!(cell(0, "Beneficiary Location:1:Name"), "");
    assert!(
        !header
            .iter()
            .any(|h| h == "Funding Org:6:Identifier" || h == "Funding Org:Identifier")
    );
}

#[test]
fn one_funder_a_grant_keeps_the_templates_plain_titles() {
    let (header, rows) = table(&publisher(), &[grant("LV-2013-0012", Pence::pounds(35_000))]).unwrap();
    let expected = [
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
        "Planned Dates:Start Date",
        "Planned Dates:End Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Beneficiary Location:Name",
        "Beneficiary Location:Geographic Code",
        "Beneficiary Location:Geographic Code Type",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Grant Programme:Title",
    ];
    assert_eq!(header, expected);
    assert_eq!(rows[0][0], "360G-localvision-LV-2013-0012");
    assert_eq!(rows[0][5], "2013-06-10T16:00:00Z");
    assert_eq!(rows[0][12], "UA");
}

#[test]
fn a_grant_without_areas_has_no_locations() {
    let g = Grant {
        areas: vec![],
        ..grant("LV-1", Pence(100))
    };
    let p = package(&publisher(), std::slice::from_ref(&g)).unwrap();
    assert!(grants_of(&p)[0].get("beneficiaryLocation").is_none());
    let (header, rows) = table(&publisher(), &[g]).unwrap();
    assert!(header.iter().any(|h| h == "Beneficiary Location:Name"));
    assert_eq!(rows[0].len(), header.len());
}

#[test]
fn repeated_funders_and_areas_are_listed_once() {
    let g = Grant {
        funders: vec![
            org("GB-GOR-PB188", "Public Health England"),
            org("GB-GOR-PB188", "PHE"),
        ],
        areas: vec![area("E06000014", "York"), area("E06000014", "York")],
        ..grant("LV-1", Pence(100))
    };
    let p = package(&publisher(), &[g]).unwrap();
    assert_eq!(
        grants_of(&p)[0]["fundingOrganization"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        grants_of(&p)[0]["beneficiaryLocation"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn grants_that_would_break_the_standard_are_refused() {
    let twice = [grant("LV-1", Pence(100)), grant("LV-1", Pence(200))];
    assert_eq!(
        package(&publisher(), &twice).unwrap_err(),
        OpenDataError::DuplicateReference("LV-1".to_string())
    );
    let unfunded = Grant {
        funders: vec![],
        ..grant("LV-2", Pence(100))
    };
    assert_eq!(
        package(&publisher(), &[unfunded]).unwrap_err(),
        OpenDataError::NoFunders("360G-localvision-LV-2".to_string())
    );
    let backwards = Grant {
        planned_end: date(2013, 1, 1),
        ..grant("LV-3", Pence(100))
    };
    assert_eq!(
        package(&publisher(), &[backwards]).unwrap_err(),
        OpenDataError::EndsBeforeStart("360G-localvision-LV-3".to_string())
    );
}

/// The grants the Python check runs on: several funders and areas, an integrated care
/// system of twelve councils (numbered columns past 9), pence, and text that needs quoting.
fn sample_grants() -> Vec<Grant> {
    let twelve_councils = [
        ("E08000001", "Bolton"),
        ("E08000002", "Bury"),
        ("E08000003", "Manchester"),
        ("E08000004", "Oldham"),
        ("E08000005", "Rochdale"),
        ("E08000006", "Salford"),
        ("E08000007", "Stockport"),
        ("E08000008", "Tameside"),
        ("E08000009", "Trafford"),
        ("E08000010", "Wigan"),
        ("E06000049", "Cheshire East"),
        ("E09000033", "Westminster"),
    ];
    let ics = Grant {
        title: "A place of twelve councils: \"system leadership\", year one".to_string(),
        description: "Twelve councils, one system.\nSecond line, with a comma; and £ signs.".to_string(),
        areas: twelve_councils.iter().map(|(c, n)| area(c, n)).collect(),
        ..grant("LV-2013-0014", Pence(4_999_999))
    };
    let unplaced = Grant {
        areas: vec![],
        ..grant("LV-2013-0015", Pence(10))
    };
    vec![
        grant("LV-2013-0012", Pence::pounds(35_000)),
        pooled_grant(),
        ics,
        unplaced,
    ]
}

fn csv_line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect();
    quoted.join(",") + "\r\n"
}

/// Writes sample.json and sample.csv into $OPEN_DATA_SAMPLE_DIR (an absolute path) when it
/// is set, for scripts/open_data/check-360giving.py; always checks the two agree in size.
#[test]
fn sample_files_for_the_360giving_check() {
    let grants = sample_grants();
    let p = package(&publisher(), &grants).unwrap();
    let (header, rows) = table(&publisher(), &grants).unwrap();
    assert_eq!(grants_of(&p).len(), rows.len());
    assert!(
        header
            .iter()
            .any(|h| h == "Beneficiary Location:11:Geographic Code")
    );
    let Some(dir) = std::env::var_os("OPEN_DATA_SAMPLE_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sample.json"), serde_json::to_string_pretty(&p).unwrap()).unwrap();
    let csv: String = std::iter::once(&header)
        .chain(&rows)
        .map(|r| csv_line(r))
        .collect();
    std::fs::write(dir.join("sample.csv"), csv).unwrap();
}
