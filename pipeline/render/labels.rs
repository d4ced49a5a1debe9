//! Chart and report labels in Chinese (default) and English (`--lang en`).
//! Every label a chart can show comes from here, so the glyph-coverage test
//! can check them all against the bundled font.

pub use crate::config::Lang;

/// A label key → (Chinese, English).
const LABELS: &[(&str, &str, &str)] = &[
    (
        "age_title",
        "党员与干部年龄结构（按治理模式）",
        "Age structure of members and cadres, by model",
    ),
    ("young", "青年", "young"),
    ("middle", "中年", "middle"),
    ("old", "年长", "old"),
    ("share", "占比", "share"),
    ("member", "党员", "members"),
    ("cadre", "干部", "cadres"),
    (
        "resolution_title",
        "矛盾纠纷调解成功率（按治理模式）",
        "Dispute resolution rate, by model",
    ),
    (
        "resolution_trend_title",
        "调解成功率逐年变化（模式均值）",
        "Resolution rate over the years (model means)",
    ),
    ("resolution_rate", "调解成功率", "resolution rate"),
    ("year", "年份", "year"),
    ("model", "治理模式", "model"),
    (
        "heatmap_title",
        "服务中心千人服务人次（中心类型 × 模式）",
        "Visits per 1,000 residents (centre type × model)",
    ),
    (
        "coverage_title",
        "七类服务中心覆盖率（按治理模式）",
        "Coverage of the seven centres, by model",
    ),
    ("coverage", "覆盖率", "coverage"),
    (
        "index_title",
        "治理效能指数排名及 5–95% 区间",
        "Effectiveness index ranks with 5–95% intervals",
    ),
    ("rank", "排名", "rank"),
    (
        "index_models_title",
        "治理效能指数（模式均值）",
        "Effectiveness index (model means)",
    ),
    ("score", "指数", "score"),
    (
        "event_title",
        "采用模式的效应（事件研究，95% 区间与一致置信带）",
        "Effect of adopting a model (event study, 95% intervals and uniform band)",
    ),
    ("rel_year", "相对采用年份", "years since adoption"),
    (
        "event_chart_title",
        "调解成功率：采用模式的效应（事件研究，95% 逐点区间与一致置信带）",
        "Resolution rate: effect of adopting a model (event study, 95% pointwise intervals and uniform band)",
    ),
    ("effect", "效应", "effect"),
    ("adoption", "采用年", "adoption"),
    (
        "quality_title",
        "数据质量：隔离行与发现（按表与规则）",
        "Data quality: quarantined rows and findings, by table and rule",
    ),
    ("rows", "行数", "rows"),
    ("simulated", "模拟数据", "simulated data"),
    ("n", "单位数", "units"),
    ("report_title", "党建引领社区治理效能比较报告", "Party-building-led community governance: a comparison of models"),
    ("simulated_banner", "本报告基于模拟数据生成，数字不代表任何真实地区。", "This report is made from simulated data; its numbers describe no real place."),
    ("period", "统计期", "period"),
    ("key_findings", "主要发现", "Key findings"),
    ("provenance", "附录：数据来源", "Appendix: sources"),
    ("def_age", "青年占比 = 年龄低于 30 岁者所占比例，年长占比 = 45 岁及以上者所占比例；跨越界限的年龄段按覆盖年数比例拆分（标记为插值）；开放年龄段 [a,∞) 按 a..a+9 计。", "share young = the share aged below 30, share old = the share aged 45 or above; a band straddling a bound is split in proportion to the years it covers (marked interpolated); an open band [a,∞) counts as a..a+9."),
    ("def_resolution", "调解成功率 = 调解成功数 / 受理数（受理数为 0 时为空）。各模式间比较：Kruskal–Wallis 检验（含结校正）与 Dunn 两两比较（Holm 校正）；均值区间为自助法 95% 百分位区间。", "resolution rate = resolved / received (null when received = 0). Across models: Kruskal–Wallis with tie correction and Dunn pairs with Holm-adjusted p; mean intervals are seeded bootstrap 95% percentile intervals."),
    ("def_visits", "千人服务人次 = 服务人次 / 常住人口 × 1000；覆盖率 = 有服务人次的七类中心数 / 7。", "visits per 1,000 = visits / population × 1,000; coverage = the seven centre types with visits > 0, divided by 7."),
    ("def_index", "治理效能指数：指标经方向调整后按最小–最大法归一到 0–100，支柱内等权算术平均，再对三个支柱平均；排名区间来自对权重（±25%）、归一化与汇总方法的蒙特卡洛模拟。", "The index: indicators normalised min-max to 0..100 after directions, arithmetic means within and across the three pillars; rank intervals from a Monte Carlo over weights (±25%), normalisation and aggregation."),
    ("def_event", "采用模式的效应：交错双重差分（Callaway–Sant'Anna，与 R did 相同）；本次运行的对照组、协变量、基期、预期期与聚类见效应表下的方法说明。95% 一致置信带同时覆盖所有相对年份。详见 docs/did.md。", "Adoption effects: staggered difference-in-differences (Callaway–Sant'Anna, as R did); this run's comparison group, covariates, base period, anticipation and clustering are in the method note under the effects tables. A 95% uniform band covers every event time at once. See docs/did.md."),
    ("trend_note", "各模式均值逐年变化。", "Model means by year."),
    ("definitions", "指标说明", "Definitions"),
    ("summary_sheet", "概况", "Summary"),
    ("charts_sheet", "图表", "Charts"),
    ("notes_sheet", "说明", "Notes"),
    ("run", "运行", "run"),
    ("tests_title", "各模式差异检验", "Differences between models"),
    ("effects_title", "采用模式的平均效应", "Average effects of adopting a model"),
    ("district_report_title", "社区治理情况报告", "Community governance report"),
    ("overview", "概况", "Overview"),
    ("league_title", "各社区治理效能排名", "Units ranked by the effectiveness index"),
    ("peers_title", "与同模式及其他地区比较", "Against peers"),
    ("alerts_title", "预警", "Alerts"),
    ("alerts_by_kind", "预警汇总（按类别）", "Alerts by kind"),
    ("alerts_list", "预警明细", "Alerts, worst first"),
    ("member_cells_title", "党员与干部年龄结构（分单元格）", "Member-age cells"),
    ("data_title", "数据质量与来源", "Data quality and provenance"),
    ("unit", "单位", "unit"),
    ("unit_name", "名称", "name"),
    ("change", "变化", "change"),
    ("rank_change", "名次变化", "rank change"),
    ("rank_interval", "排名区间（5–95%）", "rank interval (5–95%)"),
    ("value", "数值", "value"),
    ("threshold", "阈值或对照", "threshold or peer value"),
    ("kind", "类别", "kind"),
    ("count", "个数", "count"),
    ("worst", "最突出", "worst"),
    ("group", "比较组", "group"),
    ("this_district", "本区县", "this district"),
    ("same_model", "同模式其他区县", "same model elsewhere"),
    ("all_others", "其他所有区县", "all other districts"),
    ("role", "身份", "role"),
    ("age_band", "年龄段", "age band"),
    ("members_n", "人数", "count"),
    ("previous", "上期", "previous period"),
    ("no_previous", "无上期数据", "no previous period"),
    ("alert_resolution_low", "低调解率", "low resolution rate"),
    ("alert_centres_missing", "服务中心缺项", "service centres missing"),
    ("alert_cadres_old", "干部年龄偏大", "cadres too old"),
    ("alert_ageing_faster", "干部老化加快", "cadres ageing faster than peers"),
    ("district_trend_title", "调解成功率：本区县与同模式、其他区县", "Resolution rate: the district, its model and all others"),
    ("district_bars_title", "调解成功率排名（本区县单位高亮）", "Resolution rate, all units ranked (the district's highlighted)"),
    ("district_index_title", "治理效能指数排名（本区县单位高亮）", "Effectiveness index, all units ranked (the district's highlighted)"),
    ("suppressed_note", "为保护个人信息，少于最小人数的单元格已隐去（合同 §7）。", "Cells below the minimum count are suppressed to protect individuals (contract §7)."),
    ("significant", "显著", "significant"),
    ("not_significant", "不显著", "not significant"),
    ("zero_effect_note", "以下指标在每个单位内各年都相同（采用前后没有变化），其效应无从估计，未列为发现：", "These metrics are the same every year within each unit (nothing changes with adoption), so no effect can be estimated; they are not findings: "),
    ("metric", "指标", "metric"),
    ("mean", "均值", "mean"),
    ("median", "中位数", "median"),
    ("ci", "95% 区间", "95% interval"),
    ("sd", "标准差", "sd"),
    ("se", "标准误", "se"),
    ("p", "p 值", "p"),
    ("h", "H 统计量", "H"),
    ("epsilon2", "效应量 ε²", "ε²"),
    ("groups", "组数", "groups"),
    ("att", "平均效应", "ATT"),
    ("n_treated", "处理组", "treated"),
    ("n_control", "对照组", "controls"),
    ("table_n", "表", "table"),
    ("rule", "规则", "rule"),
    ("missing_indicators", "缺失指标", "missing indicators"),
    ("sensitivity_title", "指数排名的敏感性：一阶 S_i 与总效应 ST_i（5–95% 区间）", "Sensitivity of the index's ranks: first-order S_i and total ST_i (5–95% intervals)"),
    ("sensitivity_sheet", "敏感性", "sensitivity"),
    ("factor", "建模选择", "choice"),
    ("st_low", "ST 5% 下限", "ST 5% low"),
    ("st_high", "ST 95% 上限", "ST 95% high"),
    ("factor_normalisation", "标准化方法", "normalisation"),
    ("factor_aggregation", "加总方法", "aggregation"),
    ("factor_weights", "权重", "weights"),
    ("factor_winmax", "极值处理", "outlier treatment"),
    ("factor_imputation", "缺失值插补", "imputation"),
    ("factor_drop_indicator", "剔除单个指标", "leaving one indicator out"),
    ("correlations_title", "指标间相关系数（Pearson，方向调整后）", "Correlations between indicators (Pearson, after directions)"),
    ("correlations_note", "相关系数在方向调整之后计算：负向指标先取反，使所有指标都是“越大越好”；因此一个正向指标与一个负向指标的原始负相关，在此显示为正相关（原始相关见 index_correlations 表的符号乘以二者方向之积）。", "Correlations are taken after directions: negative indicators are reversed first so that higher is better for all; a raw negative correlation between a positive and a negative indicator therefore shows as positive here (the raw one is the table's value times the product of the two directions)."),
    ("distributions_title", "指标分布：处理前（空心）与处理后（实心）", "Indicator distributions before (hollow) and after (filled) treatment"),
    ("skewness", "偏度", "skewness"),
    ("check_fails", "未通过检验", "fails the check"),
    ("kurtosis", "超额峰度", "excess kurtosis"),
    ("skew_treated", "处理后偏度", "skewness treated"),
    ("kurtosis_treated", "处理后峰度", "kurtosis treated"),
    ("treatment", "处理", "treatment"),
    ("pillar", "维度", "pillar"),
    ("indicator", "指标", "indicator"),
    ("pillar_alpha", "维度 Cronbach α", "pillar's Cronbach α"),
    ("effective_weight", "有效权重", "effective weight"),
    ("imputed_values", "插补值", "imputed"),
    ("how_none", "无", "none"),
    ("how_winsorised_high", "缩尾（高端）", "winsorised (high)"),
    ("how_winsorised_low", "缩尾（低端）", "winsorised (low)"),
    ("how_log", "对数变换", "log"),
    ("how_log__mirrored_", "对数变换（镜像）", "log (mirrored)"),
    ("maps_title", "地图", "Maps"),
    ("map_index", "治理效能指数", "Governance effectiveness index"),
    ("map_model", "治理模式", "Governance model"),
    ("map_resolution_change", "调解成功率变化", "Change in the resolution rate"),
    ("no_data", "无数据", "no data"),
    ("by_province", "按省", "province"),
    ("by_prefecture", "按地市", "prefecture"),
    ("by_county", "按区县", "county"),
    ("by_street", "按乡镇街道", "street"),
    ("by_community", "按社区村", "community"),
    ("tiles_note", "方块图，非地图：每格一个省级单位，位置示意；无数据的省份（含台湾、香港、澳门）标为无数据。", "Tile grid, not a map: one square per provincial-level unit at its rough position; provinces without data (Taiwan, Hong Kong and Macao included) are marked so."),
    ("tiles_weighted", "省级数值为辖内单位的合计口径（比率为分子之和除以分母之和，指数按人口加权），与报告正文一致；模式为覆盖人口最多的模式。", "A province's figure pools its units as the reports do (a rate is Σ numerator / Σ denominator, the index population-weighted); its model the one covering most of its population."),
    ("map_weighted", "各区域数值与报告正文同一口径（比率为分子之和除以分母之和，指数按人口加权）。", "A region's figure is the reports' (a rate is Σ numerator / Σ denominator, the index population-weighted). "),
    ("map_model_rule", "区域的模式为覆盖其人口最多的模式。", "A region's model is the one covering most of its population. "),
    ("index_analysis_title", "指数的数据处理与稳健性", "The index: data preparation and robustness"),
    ("diagnostics_title", "指标诊断", "Indicator diagnostics"),
    ("diagnostics_sheet", "指标诊断", "diagnostics"),
    ("sensitivity_ranks_title", "敏感性分析中的排名区间（5–95%）", "Rank intervals over the sensitivity analysis (5–95%)"),
    ("event_average", "动态聚合：e ≥ 0 各期的平均（此行为逐点 95% 区间）", "dynamic aggregation: mean over e ≥ 0 (this row: pointwise 95% interval)"),
    ("event_table_title", "调解成功率的事件研究（按相对采用年份）", "Event study of the resolution rate (by years since adoption)"),
    ("pretrend_title", "平行趋势预检验", "Pre-trend tests"),
    ("pretrend_sheet", "预趋势检验", "pre-trends"),
    ("pretrend_test", "检验", "test"),
    ("pretrend_wald", "Wald（各 ATT(g,t) 单元格）", "Wald (ATT(g,t) cells)"),
    ("pretrend_sup_t", "sup-t 自助法（事件研究采用前各期）", "sup-t bootstrap (event study before adoption)"),
    ("statistic", "统计量", "statistic"),
    ("pretrend_cells", "检验的估计数", "estimates tested"),
    ("pretrend_p", "预检验 p 值", "pre-test p"),
    ("verdict", "结论", "verdict"),
    ("pretrend_note", "预检验的原假设是采用前各期的效应均为 0（平行趋势）。p < 0.05 时拒绝：该结果在采用前已与对照组走势不同，其采用后的差异不能解读为采用的效应；不拒绝并不证明平行趋势成立。按单位聚类时为 R did 的 Wald 检验（各采用前 ATT(g,t) 单元格）。按更高层级聚类并用自助法时，R did 不报告 Wald 检验（其方差矩阵未考虑聚类），而聚类稳健的 Wald 检验在检验数接近聚类数时严重过度拒绝，故改用 sup-t 检验：事件研究中采用前各期估计的最大 |t|，与同一组自助抽样中该最大值的分布比较——相当于只覆盖采用前各期的 95% 一致置信带是否处处包含 0（它比图中覆盖全部相对年份的带窄）；只含一个采用聚类的相对年份不参与检验。基期为变动基期时，采用前各期是逐年变化，对平缓的趋势差异检验力较弱。", "The null is that every effect before adoption is 0 (parallel trends). p < 0.05 rejects it: the outcome already moved differently from the comparison group before adoption, and its later difference cannot be read as the effect of adoption; not rejecting does not prove parallel trends. Clustered by unit, the test is R did's Wald test over the pre-adoption ATT(g,t) cells. Clustered above the unit and bootstrapped, R did reports no Wald test (its covariance ignores the clusters), and a cluster-robust Wald test over-rejects grossly when the estimates tested near the number of clusters, so the test is the sup-t test: the largest |t| of the event study's pre-adoption estimates against the distribution of that largest value over the same bootstrap draws — whether a 95% uniform band over the pre-adoption event times alone covers 0 everywhere (narrower than the chart's band over every event time). Event times whose adopters lie in one cluster are left out. With a varying base period the pre-adoption estimates are year-on-year changes, and the test has little power against a gradual drift."),
    ("effects_sheet", "平均效应", "effects"),
    ("aggregation", "聚合方式", "aggregation"),
    ("agg_simple", "简单聚合", "simple"),
    ("agg_dynamic", "动态聚合（事件时间平均）", "dynamic (mean over event time)"),
    ("aggregations_note", "两种聚合对同一批 ATT(g,t) 加权不同：简单聚合把所有采用后的单元格按各采用队列的单位数加权平均，早采用的队列因采用后年份多而权重大；动态聚合先在每个相对年份 e 上按队列规模平均，再对 e ≥ 0 的各期取简单平均，每个相对年份权重相同。二者都是“采用后平均效应”，数值相近但不必相等（R did 的 aggte(type = \"simple\") 与 aggte(type = \"dynamic\")）。发现以简单聚合为准。", "The two aggregations weigh the same ATT(g,t) differently: the simple one averages every post-adoption cell weighted by its cohort's size, so early cohorts with more post years weigh more; the dynamic one first averages each event time e over cohorts and then takes the plain mean over e ≥ 0, every event time weighing the same. Both are \"the average effect after adoption\"; they are close but need not agree (R did's aggte(type = \"simple\") and aggte(type = \"dynamic\")). The findings quote the simple one."),
    ("by_model_title", "各模式的效应（该模式的采用单位对照比较组）", "Each model's effect (its adopters against the comparison group)"),
    ("by_model_sheet", "分模式效应", "effects by model"),
    ("units_treated", "采用单位数", "adopting units"),
    ("clusters", "聚类数", "clusters"),
    ("uniform_band", "95% 一致置信带", "95% uniform band"),
    ("pointwise_ci", "95% 逐点区间", "95% pointwise interval"),
    ("band_low", "置信带下限", "band low"),
    ("band_high", "置信带上限", "band high"),
    ("ci_low", "95% 区间下限", "95% CI low"),
    ("ci_high", "95% 区间上限", "95% CI high"),
    ("df", "自由度", "df"),
    ("qca_title", "组态表（中间解）", "Configurations (intermediate solution)"),
    ("qca_title_pars", "组态表（简约解）", "Configurations (parsimonious solution)"),
    ("qca_consistency", "一致性", "consistency"),
    ("qca_raw", "原始覆盖度", "raw coverage"),
    ("qca_unique", "唯一覆盖度", "unique coverage"),
    ("qca_solution", "总体一致性 / 总体覆盖度", "solution consistency / coverage"),
    ("qca_intermediate", "中间解", "intermediate solution"),
    ("qca_parsimonious", "简约解", "parsimonious solution"),
    ("qca_whole", "总体解", "solution"),
    ("qca_xy_x", "解的隶属度", "membership in the solution"),
    ("qca_xy_y", "结果隶属度", "membership in the outcome"),
    ("qca_n_cases", "案例", "cases"),
    ("qca_coverage", "覆盖度", "coverage"),
    ("qca_more_models", "另有等价模型（M2 起）见 qca_solutions 表：", "More equivalent models (M2 …) in table qca_solutions: "),
    ("qca_heading", "组态分析（fsQCA）", "Configurational analysis (fsQCA)"),
    ("qca_terms", "组态及其拟合", "Configurations and their fit"),
    ("qca_necessity", "必要条件分析", "Necessity of single conditions"),
    ("qca_term", "组态", "configuration"),
    ("qca_pri", "PRI", "PRI"),
    ("qca_cases", "典型案例数", "cases"),
    ("qca_condition", "条件", "condition"),
    ("qca_incl_n", "必要一致性", "consistency (inclN)"),
    ("qca_ron", "必要相关度 RoN", "relevance (RoN)"),
    ("qca_cov_n", "必要覆盖度", "coverage (covN)"),
    ("qca_xy_title", "解与结果的 XY 图", "XY plot of the solution and the outcome"),
    ("qca_calibration_title", "集合的校准与方向预期", "How each set is calibrated, and the direction expected of it"),
    ("qca_calibration_sheet", "校准", "calibration"),
    ("qca_set", "集合", "set"),
    ("qca_role", "角色", "role"),
    ("qca_method", "校准方式", "method"),
    ("qca_exclusion", "完全不隶属锚点", "full non-membership"),
    ("qca_crossover", "交叉点", "crossover"),
    ("qca_inclusion", "完全隶属锚点", "full membership"),
    ("qca_expect", "方向预期", "expected"),
    ("qca_method_anchors", "直接校准（给定锚点）", "direct (anchors given)"),
    ("qca_method_quantiles", "直接校准（分位数锚点）", "direct (anchors from quantiles)"),
    ("qca_method_threshold", "清晰集（阈值）", "crisp (threshold)"),
    ("qca_method_crisp", "清晰集（原值）", "crisp (as given)"),
    ("qca_method_membership", "隶属度（原值）", "membership (as given)"),
    ("qca_truth_title", "真值表（只列有案例的行；OUT：1 充分，0 不充分）", "Truth table (rows with cases; OUT: 1 sufficient, 0 not)"),
    ("qca_truth_sheet", "真值表", "truth table"),
    ("data_section_title", "数据与样本", "Data and sample"),
    ("defm_share_young", "青年占比（党员、干部分别计）= 年龄低于 30 岁者人数 ÷ 总人数；跨越 30 岁的年龄段按其覆盖年数比例拆分。", "share young (members and cadres apart) = persons aged below 30 ÷ all; a band straddling 30 is split in proportion to its years."),
    ("defm_share_old", "年长占比 = 45 岁及以上者人数 ÷ 总人数；拆分同上。", "share old = persons aged 45 or above ÷ all, split the same way."),
    ("defm_aging_ratio", "老化比（干部老化比、党员老化比）= 年长占比 ÷ 青年占比，即每一名 30 岁以下者对应的 45 岁及以上者人数；青年占比为 0 时为空。越大越老化，在指数中为负向指标。", "ageing ratio (of cadres, of members) = share old ÷ share young: persons aged 45 or above per person below 30; empty when share young is 0. Higher is older: a negative indicator in the index."),
    ("defm_mean_age", "平均年龄 = 各年龄段中点按人数加权的平均；开放年龄段 [a,∞) 按 a + 5 计。", "mean age = the mean of the bands' midpoints weighted by persons; an open band [a,∞) counts as a + 5."),
    ("defm_members", "人数 = 各年龄段人数之和（党员、干部分别计）。", "members = the sum over bands (members and cadres apart)."),
    ("defm_disputes_per_10k", "万人纠纷数 = 受理数 ÷ 常住人口 × 10,000。", "disputes per 10,000 = received ÷ population × 10,000."),
    ("defm_resolution_rate", "调解成功率 = 调解成功数 ÷ 受理数（受理数为 0 时为空）。", "resolution rate = resolved ÷ received (empty when none was received)."),
    ("defm_escalation_rate", "矛盾上行率 = 上行（升级）数 ÷ 受理数；越低越好，在指数中为负向指标。", "escalation rate = escalated ÷ received; lower is better, a negative indicator in the index."),
    ("defm_visits_per_1k", "千人服务人次 = 服务人次 ÷ 常住人口 × 1,000（合计，或按中心类型）。", "visits per 1,000 = visits ÷ population × 1,000 (in total, or per centre type)."),
    ("defm_center_coverage", "服务中心覆盖率 = 有服务人次的七类中心数 ÷ 7。", "centre coverage = the seven centre types with visits ÷ 7."),
    ("defm_satisfaction", "满意度 = 各中心满意度（0–100 分制）按服务人次加权的平均。", "satisfaction = the centres' satisfaction scores (0–100) weighted by visits."),
    ("p_holm_family", "Holm 校正 p", "Holm-corrected p"),
    ("p_bh", "BH 校正 p", "BH-corrected p"),
    ("holm_name", "Holm", "Holm"),
    ("bh_name", "Benjamini–Hochberg", "Benjamini–Hochberg"),
    ("sample_table_title", "各县（区）每年有数据的单位数", "Units with data, by county and year"),
    ("sample_sheet", "样本", "sample"),
    ("county", "县（区）", "county"),
    ("units_word", "社区（村）", "units"),
    ("describe_title", "描述统计（按指标与模式）", "Descriptive statistics, by metric and model"),
    ("describe_sheet", "描述统计", "descriptives"),
    ("q1", "下四分位数", "q1"),
    ("min", "最小值", "min"),
    ("score_axis", "指数（0–100）", "index (0–100)"),
    ("cohorts_title", "采用队列：各采用年份的单位数（按模式）", "Adoption cohorts: units by year of adoption and model"),
    ("cohorts_sheet", "采用队列", "cohorts"),
    ("total", "合计", "total"),
    ("max", "最大值", "max"),
    ("index_models_sheet", "指数模式均值", "index by model"),
    ("index_models_note", "指数（0–100）按模式的描述统计，未作检验：指数随各单位的指标而定，模式之间的差异同时含有县与省的差异（见“局限”）。", "The index (0–100) described by model, untested: it follows each unit's indicators, and the differences between models carry those between counties and provinces (see Limitations)."),
    ("q3", "上四分位数", "q3"),
    ("limitations_title", "局限", "Limitations"),
    ("limit_simulated", "数据为模拟数据：数值用于演示方法，不描述真实地区。", "The data are simulated: the numbers show the methods and describe no real place."),
    ("pairs_title", "两两比较（Dunn 检验，Holm 校正）", "Pairwise comparisons (Dunn, Holm-corrected)"),
    ("pairs_sheet", "两两比较", "pairs"),
    ("pairs_other_title", "其他指标中差异显著的模式对（Dunn，Holm 校正；仅列校正后 Kruskal–Wallis 显著的指标）", "Significant pairs of models for the other metrics (Dunn, Holm; metrics whose corrected Kruskal–Wallis test is significant)"),
    ("pairs_other_sheet", "显著模式对", "significant pairs"),
    ("model_a", "模式甲", "model A"),
    ("model_b", "模式乙", "model B"),
    ("z", "z 统计量", "z"),
    ("p_holm", "Holm 校正 p", "Holm p"),
    ("p_adjusted", "校正后 p", "corrected p"),
    ("higher", "较高者", "higher"),
    ("lower", "较低者", "lower"),
    ("def_qca", "模糊集定性比较分析（fsQCA，R QCA 的定义）：各指标以三个锚点（完全不隶属、交叉点、完全隶属）直接校准为模糊集；一致性 = Σmin(X,Y)/ΣX，覆盖度 = Σmin(X,Y)/ΣY；必要一致性 ≥ 0.9 通常视为必要条件。中间解依据方向预期只采用容易的反事实；核心条件亦见于简约解。详见 docs/qca.md。", "Fuzzy-set QCA (R QCA's definitions): each metric is calibrated into a fuzzy set with three anchors (full non-membership, crossover, full membership); consistency = Σmin(X,Y)/ΣX, coverage = Σmin(X,Y)/ΣY; a necessity consistency of 0.9 or more usually marks a necessary condition. The intermediate solution uses only the easy counterfactuals of the directional expectations; core conditions are in the parsimonious solution too. See docs/qca.md."),
    ("qca_note", "● 条件存在，⊗ 条件缺失，空白表示可有可无；大圈为核心条件（亦见于简约解），小圈为边缘条件。", "● present, ⊗ absent, blank either; large = core (in the parsimonious solution too), small = peripheral."),
];

pub fn label(lang: Lang, key: &str) -> &'static str {
    let (_, zh, en) = LABELS
        .iter()
        .find(|(k, _, _)| *k == key)
        .unwrap_or_else(|| panic!("no label {key}"));
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A chart title, marked when the data is simulated.
pub fn titled(lang: Lang, key: &str, simulated: bool) -> String {
    let t = label(lang, key);
    match (simulated, lang) {
        (false, _) => t.to_string(),
        (true, Lang::Zh) => format!("{t}（{}）", label(lang, "simulated")),
        (true, Lang::En) => format!("{t} ({})", label(lang, "simulated")),
    }
}

/// A DiD text written at 95% (a chart's title or legend, a note, a
/// sentence) shown at the level of its run's `alpha` (R's `alp`):
/// "95%" becomes "90%" at 0.1; unchanged at 0.05.
pub fn at_level(text: &str, alpha: f64) -> String {
    let level = crate::methods::did::options::level(alpha);
    text.replace("95%", &level)
}

/// "2024" → 2024年, "2024-Q2" → 2024年第二季度, "2024-06" → 2024年6月.
pub fn period_label(lang: Lang, p: &str) -> String {
    match lang {
        Lang::En => p.to_string(),
        Lang::Zh => crate::contract::grammar::period_zh(p),
    }
}

/// A chart or section title for a period, without stray spaces around
/// full-width punctuation: 2024年矛盾纠纷调解成功率（按治理模式）.
pub fn period_title(lang: Lang, key: &str, period: &str, simulated: bool) -> String {
    let t = titled(lang, key, simulated);
    match lang {
        Lang::Zh => format!("{}{t}", period_label(lang, period)),
        Lang::En => format!("{t}, {period}"),
    }
}

/// Any title, marked when the data is simulated.
pub fn titled_text(lang: Lang, t: &str) -> String {
    match lang {
        Lang::Zh => format!("{t}（{}）", label(lang, "simulated")),
        Lang::En => format!("{t} ({})", label(lang, "simulated")),
    }
}

/// A model's display name.
pub fn model(lang: Lang, m: &str) -> String {
    let zh = match m {
        "sinking" => "下沉型",
        "collaborative" => "协同型",
        "embedded" => "嵌入型",
        "integrated" => "融合型",
        "none" => "无模式",
        other => other,
    };
    match (lang, m) {
        (Lang::Zh, _) => zh.to_string(),
        (Lang::En, "sinking") => "Sinking".into(),
        (Lang::En, "collaborative") => "Collaborative".into(),
        (Lang::En, "embedded") => "Embedded".into(),
        (Lang::En, "integrated") => "Integrated".into(),
        (Lang::En, "none" | "" | "(none)") => "No model".into(),
        (Lang::En, other) => other.to_string(),
    }
}

/// The metrics the reports define and the journal tables describe, in
/// their order: (metric, breakdown).
pub const REPORT_METRICS: [(&str, &str); 11] = [
    ("share_young", "cadre"),
    ("share_old", "cadre"),
    ("aging_ratio", "cadre"),
    ("mean_age", "cadre"),
    ("members", "cadre"),
    ("disputes_per_10k", ""),
    ("resolution_rate", ""),
    ("escalation_rate", ""),
    ("visits_per_1k", ""),
    ("center_coverage", ""),
    ("satisfaction", ""),
];

/// A metric's name, with the role it counts for (干部年长占比).
pub fn metric(lang: Lang, metric: &str, breakdown: &str) -> String {
    let (zh, en) = match metric {
        "members" => ("人数", "members"),
        "share_young" => ("青年占比", "share young"),
        "share_old" => ("年长占比", "share old"),
        "aging_ratio" => ("老化比", "ageing ratio"),
        "mean_age" => ("平均年龄", "mean age"),
        "disputes_per_10k" => ("万人纠纷数", "disputes per 10,000"),
        "resolution_rate" => ("调解成功率", "resolution rate"),
        "escalation_rate" => ("矛盾上行率", "escalation rate"),
        "visits_per_1k" => ("千人服务人次", "visits per 1,000"),
        "center_coverage" => ("服务中心覆盖率", "centre coverage"),
        "satisfaction" => ("满意度", "satisfaction"),
        "score" => ("治理效能指数", "effectiveness index"),
        other => (other, other),
    };
    let role = match (breakdown, lang) {
        ("cadre", Lang::Zh) => "干部",
        ("member", Lang::Zh) => "党员",
        ("cadre", Lang::En) => "cadre ",
        ("member", Lang::En) => "member ",
        _ => "",
    };
    let centre_type = crate::contract::CENTER_TYPES
        .iter()
        .any(|(id, _)| *id == breakdown)
        .then(|| centre(lang, breakdown));
    if metric == "members" && lang == Lang::En {
        return match breakdown {
            "cadre" => "cadres".into(),
            _ => "members".into(),
        };
    }
    match (lang, centre_type) {
        (Lang::Zh, Some(c)) => format!("{c}{zh}"),
        (Lang::En, Some(c)) => format!("{en} ({c})"),
        (Lang::Zh, None) => format!("{role}{zh}"),
        (Lang::En, None) => format!("{role}{en}"),
    }
}

/// The unit a change of `metric` is measured in: percentage points for a
/// rate or share, the metric's own unit otherwise.
pub fn change_unit(lang: Lang, metric: &str) -> &'static str {
    let zh = lang == Lang::Zh;
    match metric {
        "share_young" | "share_old" | "resolution_rate" | "escalation_rate" | "center_coverage" => {
            if zh {
                "百分点"
            } else {
                "pp"
            }
        }
        // In English the name says its unit already.
        "visits_per_1k" if zh => "人次/千人",
        "disputes_per_10k" if zh => "件/万人",
        "satisfaction" | "score" => {
            if zh {
                "分，0–100 分制"
            } else {
                "points on 0–100"
            }
        }
        "aging_ratio" => {
            if zh {
                "比值"
            } else {
                "ratio"
            }
        }
        "mean_age" => {
            if zh {
                "岁"
            } else {
                "years"
            }
        }
        "members" => {
            if zh {
                "人"
            } else {
                "persons"
            }
        }
        _ => "",
    }
}

/// A metric's name with the unit its changes are in: 调解成功率（百分点）.
pub fn metric_with_unit(lang: Lang, m: &str, breakdown: &str) -> String {
    let name = metric(lang, m, breakdown);
    match (change_unit(lang, m), lang) {
        ("", _) => name,
        (u, Lang::Zh) => format!("{name}（{u}）"),
        (u, Lang::En) => format!("{name} ({u})"),
    }
}

/// A fsQCA set of a run as a reader names it: a metric
/// (`share_young:cadre` → 干部青年占比) or a model condition
/// (`model:embedded` → 嵌入型); any other name as it is.
pub fn set_label(lang: Lang, set: &str) -> String {
    if let Some(m) = set.strip_prefix("model:") {
        return model(lang, m);
    }
    let (m, b) = set.split_once(':').unwrap_or((set, ""));
    if crate::config::METRICS.contains(&m) {
        metric(lang, m, b)
    } else {
        set.to_string()
    }
}

/// A pillar's name: the contract's three (§5) in the report's language,
/// any other as given.
pub fn pillar_label(lang: Lang, pillar: &str) -> String {
    match (pillar, lang) {
        ("organisation", Lang::Zh) => "组织建设".into(),
        ("conflict", Lang::Zh) => "矛盾调处".into(),
        ("services", Lang::Zh) => "服务供给".into(),
        _ => pillar.to_string(),
    }
}

/// A solution's term with each set's label: `A*~B` → `A · ~B`.
pub fn term_label(lang: Lang, term: &str) -> String {
    term.split('*')
        .map(|lit| match lit.strip_prefix('~') {
            Some(s) => format!("~{}", set_label(lang, s)),
            None => set_label(lang, lit),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A centre type's display name.
pub fn centre(lang: Lang, c: &str) -> String {
    match lang {
        Lang::En => match c {
            "convenience" => "convenience services",
            "governance" => "comprehensive governance",
            "culture_sports" => "culture and sports",
            "health" => "health services",
            "elderly_care" => "elderly day care",
            "children" => "children's services",
            "volunteer" => "volunteering",
            "other" => "other",
            other => other,
        }
        .to_string(),
        Lang::Zh => crate::contract::CENTER_TYPES
            .iter()
            .find(|(id, _)| *id == c)
            .map(|(_, zh)| zh.trim_end_matches("中心").to_string())
            .unwrap_or_else(|| c.to_string()),
    }
}

/// Every fixed text a chart may draw, for the glyph-coverage test.
pub fn all_text() -> String {
    let mut s = String::new();
    for (_, zh, en) in LABELS {
        s.push_str(zh);
        s.push_str(en);
    }
    for m in ["sinking", "collaborative", "embedded", "integrated", "none"] {
        s.push_str(&model(Lang::Zh, m));
    }
    for (id, _) in crate::contract::CENTER_TYPES {
        s.push_str(&centre(Lang::Zh, id));
    }
    for m in crate::config::METRICS {
        for b in ["", "cadre", "member"] {
            s.push_str(&metric(Lang::Zh, m, b));
        }
    }
    s.push_str(&super::maps::tiles::all_names());
    s.push_str("0123456789.,-–%+()（）×: ");
    s
}

/// A name cut to `max` characters with an ellipsis, for chart labels.
pub fn short(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        name.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_chinese_dates() {
        assert_eq!(period_label(Lang::Zh, "2024"), "2024年");
        assert_eq!(period_label(Lang::Zh, "2024-Q2"), "2024年第二季度");
        assert_eq!(period_label(Lang::Zh, "2024-06"), "2024年6月");
        assert_eq!(period_label(Lang::En, "2024-06"), "2024-06");
        assert_eq!(period_label(Lang::Zh, "2024-H1"), "2024年上半年");
        // What is not a canonical period is shown as it is, never garbled.
        assert_eq!(period_label(Lang::Zh, "2023年1-3月"), "2023年1-3月");
        assert_eq!(period_label(Lang::Zh, "2024-13"), "2024-13");
    }

    #[test]
    fn titles_have_no_stray_space_around_full_width_punctuation() {
        let t = period_title(Lang::Zh, "resolution_title", "2024", true);
        assert_eq!(t, "2024年矛盾纠纷调解成功率（按治理模式）（模拟数据）");
        assert!(!t.contains(" （") && !t.contains("） "));
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        assert_eq!(short("金谷东园社区居委会", 6), "金谷东园社…");
        assert_eq!(short("承平园", 6), "承平园");
    }
}
