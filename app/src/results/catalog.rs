//! The panels Portico knows how to enter by hand and to generate: LOINC codes, UCUM
//! units and adult reference ranges. Used by the staff entry form, the demo seed and the
//! synthetic generator, so all three speak the same codes.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Analyte {
    pub loinc: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Panel {
    pub loinc: &'static str,
    pub name: &'static str,
    pub analytes: &'static [Analyte],
}

const fn a(
    loinc: &'static str,
    name: &'static str,
    unit: &'static str,
    low: Option<f64>,
    high: Option<f64>,
) -> Analyte {
    Analyte { loinc, name, unit, low, high }
}

pub const LIPID_PANEL: Panel = Panel {
    loinc: "57698-3",
    name: "Lipid panel",
    analytes: &[
        a("2093-3", "Cholesterol, total", "mg/dL", None, Some(200.0)),
        a("2571-8", "Triglycerides", "mg/dL", None, Some(150.0)),
        a("2085-9", "HDL cholesterol", "mg/dL", Some(40.0), None),
        a("13457-7", "LDL cholesterol (calculated)", "mg/dL", None, Some(100.0)),
    ],
};

pub const HBA1C: Panel = Panel {
    loinc: "4548-4",
    name: "Hemoglobin A1c",
    analytes: &[a("4548-4", "Hemoglobin A1c", "%", Some(4.0), Some(5.6))],
};

pub const BASIC_METABOLIC_PANEL: Panel = Panel {
    loinc: "51990-0",
    name: "Basic metabolic panel",
    analytes: &[
        a("2345-7", "Glucose", "mg/dL", Some(70.0), Some(99.0)),
        a("3094-0", "Urea nitrogen (BUN)", "mg/dL", Some(7.0), Some(20.0)),
        a("2160-0", "Creatinine", "mg/dL", Some(0.6), Some(1.2)),
        a("2951-2", "Sodium", "mmol/L", Some(136.0), Some(145.0)),
        a("2823-3", "Potassium", "mmol/L", Some(3.5), Some(5.1)),
        a("2075-0", "Chloride", "mmol/L", Some(98.0), Some(107.0)),
        a("2028-9", "Carbon dioxide", "mmol/L", Some(22.0), Some(29.0)),
        a("17861-6", "Calcium", "mg/dL", Some(8.6), Some(10.3)),
    ],
};

pub const PANELS: &[Panel] = &[LIPID_PANEL, HBA1C, BASIC_METABOLIC_PANEL];

pub fn panel(loinc: &str) -> Option<&'static Panel> {
    PANELS.iter().find(|p| p.loinc == loinc)
}
