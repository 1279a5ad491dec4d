#include "cli/demo_data.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <utility>

#include "absl/time/civil_time.h"

namespace rapport::demo {
namespace {

// Text with the ASCII form used to build e-mail addresses.
struct Word {
  std::string text;
  std::string ascii;
};

enum class Culture { kChina, kNorthAmerica, kEurope };

// ---- Chinese names -------------------------------------------------------------------------------
const std::vector<Word> kCnSurnames = {
    {"王", "wang"}, {"李", "li"},   {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"},
    {"赵", "zhao"}, {"黄", "huang"}, {"周", "zhou"}, {"吴", "wu"},  {"徐", "xu"},   {"孙", "sun"},
    {"胡", "hu"},   {"朱", "zhu"},  {"高", "gao"},   {"林", "lin"}, {"何", "he"},   {"郭", "guo"},
    {"马", "ma"},   {"罗", "luo"},  {"欧阳", "ouyang"}, {"司马", "sima"}};
const std::vector<Word> kCnGivenNames = {
    {"芳", "fang"},   {"伟", "wei"},     {"娜", "na"},     {"秀英", "xiuying"}, {"敏", "min"},   {"静", "jing"},
    {"丽", "li"},     {"强", "qiang"},   {"磊", "lei"},    {"军", "jun"},       {"洋", "yang"},  {"勇", "yong"},
    {"艳", "yan"},    {"杰", "jie"},     {"娟", "juan"},   {"涛", "tao"},       {"明", "ming"},  {"超", "chao"},
    {"秀兰", "xiulan"}, {"霞", "xia"},   {"建华", "jianhua"}, {"志强", "zhiqiang"}, {"晓东", "xiaodong"},
    {"雨桐", "yutong"}, {"子涵", "zihan"}, {"浩然", "haoran"}};
struct City {
  Word word;
  std::string region;
};
const std::vector<City> kCnCities = {{{"杭州", "hz"}, "华东"}, {{"上海", "sh"}, "华东"}, {{"北京", "bj"}, "华北"},
                                     {{"深圳", "sz"}, "华南"}, {{"广州", "gz"}, "华南"}, {{"成都", "cd"}, "西南"},
                                     {{"南京", "nj"}, "华东"}, {{"苏州", "su"}, "华东"}, {{"武汉", "wh"}, "华中"},
                                     {{"厦门", "xm"}, "华东"}, {{"天津", "tj"}, "华北"}, {{"重庆", "cq"}, "西南"}};
const std::vector<Word> kCnBrands = {
    {"云栖", "yunqi"},   {"华信", "huaxin"},   {"天合", "tianhe"},   {"星辰", "xingchen"}, {"东方", "dongfang"},
    {"博远", "boyuan"},  {"恒通", "hengtong"}, {"阿里山", "alishan"}, {"瑞丰", "ruifeng"},  {"金桥", "jinqiao"},
    {"新锐", "xinrui"},  {"宏达", "hongda"},   {"青禾", "qinghe"},   {"远景", "yuanjing"}, {"嘉禾", "jiahe"}};
// Business word in the name, and the industry it implies.
const std::vector<std::pair<Word, std::string>> kCnTrades = {
    {{"科技", "tech"}, "软件与信息技术"}, {{"贸易", "trade"}, "批发零售"},   {{"物流", "logistics"}, "物流运输"},
    {{"食品", "food"}, "食品饮料"},       {{"医药", "pharma"}, "医药健康"}, {{"电子", "elec"}, "电子制造"},
    {{"茶业", "tea"}, "食品饮料"},        {{"机械", "mach"}, "装备制造"},   {{"网络科技", "net"}, "软件与信息技术"}};
const std::vector<std::string> kCnLegalForms = {"有限公司", "有限公司", "股份有限公司", "集团有限公司"};
const std::vector<std::string> kCnRegions = {"华东", "华东", "华南", "华北", "西南", "华中"};
const std::vector<std::string> kCnRoles = {"总经理", "采购经理", "财务总监", "技术负责人", "销售总监"};
const std::vector<std::string> kCnMobilePrefixes = {"130", "131", "132", "133", "135", "136", "137", "138", "139",
                                                    "150", "151", "152", "155", "158", "159", "176", "177", "180",
                                                    "181", "186", "187", "188", "189"};

// ---- Latin-script names --------------------------------------------------------------------------
const std::vector<Word> kFirstNames = {
    {"James", "james"}, {"Mary", "mary"},     {"Robert", "robert"}, {"Jennifer", "jennifer"}, {"Michael", "michael"},
    {"Linda", "linda"}, {"David", "david"},   {"Emily", "emily"},   {"Anna", "anna"},         {"Lukas", "lukas"},
    {"Sophie", "sophie"}, {"Jonas", "jonas"}, {"Marie", "marie"},   {"Pierre", "pierre"},     {"Camille", "camille"},
    {"José", "jose"},   {"Lucía", "lucia"},   {"Björn", "bjorn"},   {"Zoë", "zoe"},           {"Giulia", "giulia"}};
const std::vector<Word> kLastNames = {
    {"Smith", "smith"},     {"Johnson", "johnson"}, {"Williams", "williams"}, {"Brown", "brown"},
    {"Müller", "mueller"},  {"Schmidt", "schmidt"}, {"Schneider", "schneider"}, {"Fischer", "fischer"},
    {"Dubois", "dubois"},   {"Martin", "martin"},   {"García", "garcia"},     {"Rossi", "rossi"},
    {"Novák", "novak"},     {"O'Brien", "obrien"},  {"Kowalski", "kowalski"}, {"Lefèvre", "lefevre"}};
// Chinese people living abroad, written in pinyin (family name first).
const std::vector<Word> kPinyinNames = {{"Zhang Wei", "zhang.wei"}, {"Li Na", "li.na"}, {"Chen Jing", "chen.jing"},
                                        {"Wang Lei", "wang.lei"},   {"Liu Yang", "liu.yang"}};
const std::vector<Word> kOrgBases = {
    {"Müller", "mueller"},       {"Schmidt & Söhne", "schmidt-soehne"}, {"Nordwind", "nordwind"},
    {"Dupont", "dupont"},        {"Blue River", "blueriver"},           {"Oakridge", "oakridge"},
    {"Silverline", "silverline"}, {"Redwood", "redwood"},               {"Alpine", "alpine"},
    {"Lakeside", "lakeside"},    {"Brightwater", "brightwater"},        {"Hartmann", "hartmann"}};
const std::vector<std::pair<std::string, std::string>> kOrgSectors = {  // name word, industry
    {"", "Manufacturing"},      {"Logistics", "Logistics"}, {"Software", "Software"},
    {"Foods", "Food & Beverage"}, {"Medical", "Healthcare"}, {"Electronics", "Electronics"},
    {"Machinery", "Industrial Machinery"}};
const std::vector<std::string> kEuLegalForms = {"GmbH", "AG", "SARL", "S.A.", "B.V.", "KG"};
const std::vector<std::string> kUsLegalForms = {"Inc.", "LLC", "Corp."};
const std::vector<std::string> kRoles = {"CEO", "purchasing manager", "CFO", "CTO", "office manager"};
const std::vector<std::string> kUsAreaCodes = {"650", "415", "212", "312", "617", "206", "512", "303", "404", "213"};

// ---- Shared vocabularies -------------------------------------------------------------------------
const std::vector<std::string> kSizes = {"1-10", "11-50", "51-200", "201-1000", "1000+"};
const std::vector<std::string> kSources = {"website", "referral", "trade show", "cold call", "partner"};
const std::vector<std::string> kSegments = {"enterprise", "mid_market", "smb", "consumer"};
constexpr int64_t kOwners[] = {101, 102, 103, 104, 105, 106, 107, 108};

struct Product {
  std::string sku;
  std::string name_cn;
  std::string name_en;
  int64_t price_cny;  // minor units
  int64_t price_usd;
};
const std::vector<Product> kProducts = {
    {"CRM-STD", "客户管理标准版(年)", "CRM Standard (yearly)", 1980000, 299000},
    {"CRM-PRO", "客户管理专业版(年)", "CRM Professional (yearly)", 4980000, 749000},
    {"SEAT", "用户席位", "User seat", 98000, 14900},
    {"TRAIN", "培训服务(天)", "Training (day)", 600000, 120000},
    {"SMS-10K", "短信包 1 万条", "SMS bundle 10k", 45000, 8900},
    {"TEA-500", "明前龙井 500g", "Longjing tea 500 g", 128000, 19900},
    {"SUPPORT", "高级支持(季)", "Premium support (quarter)", 880000, 139000}};

std::string Digits(SplitMix64& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.Below(10));
  return s;
}

std::string CnMobile(SplitMix64& rng) {
  const std::string prefix = rng.Pick(kCnMobilePrefixes);
  const std::string a = Digits(rng, 4), b = Digits(rng, 4);
  switch (rng.Below(3)) {
    case 0: return "+86 " + prefix + " " + a + " " + b;
    case 1: return prefix + a + b;  // national form: normalised with the CN default region
    default: return "+86-" + prefix + "-" + a + "-" + b;
  }
}

std::string UsPhone(SplitMix64& rng) {
  const std::string area = rng.Pick(kUsAreaCodes);
  std::string exchange = std::to_string(rng.Range(201, 989));
  if (exchange == "555" || exchange[1] == '1') exchange = "253";  // avoid fictional and N11 exchanges
  const std::string line = Digits(rng, 4);
  return rng.Chance(0.5) ? "+1 " + area + " " + exchange + " " + line : "+1 (" + area + ") " + exchange + "-" + line;
}

std::string EuPhone(SplitMix64& rng) {
  switch (rng.Below(3)) {
    case 0: return "+49 30 " + Digits(rng, 8);                                     // Berlin
    case 1: return "+49 89 " + Digits(rng, 7);                                     // Munich
    default: {  // Paris; one statement per draw, as operand evaluation order is unspecified
      std::string number = "+33 1";
      for (int i = 0; i < 4; ++i) number += " " + Digits(rng, 2);
      return number;
    }
  }
}

std::string Phone(SplitMix64& rng, Culture culture) {
  return culture == Culture::kChina ? CnMobile(rng) : culture == Culture::kNorthAmerica ? UsPhone(rng) : EuPhone(rng);
}

absl::Time RandomTimeInDemoYears(SplitMix64& rng) {
  const int64_t start = absl::ToUnixSeconds(DemoClockStart()) - int64_t{3} * 365 * 86400;
  const int64_t span = int64_t{3} * 365 * 86400;
  return absl::FromUnixSeconds(start + rng.Range(0, span - 1));
}

OrderDraft MakeOrder(SplitMix64& rng, Culture culture, bool organization, int64_t* next_ref) {
  OrderDraft o;
  o.amount.currency = culture == Culture::kChina ? "CNY" : culture == Culture::kNorthAmerica ? "USD" : "EUR";
  o.ordered_at = RandomTimeInDemoYears(rng);
  const double s = rng.Unit();
  o.status = s < 0.90 ? "completed" : s < 0.96 ? "refunded" : "cancelled";
  char ref[32];
  std::snprintf(ref, sizeof ref, "SO-%07lld", static_cast<long long>((*next_ref)++));
  o.external_ref = ref;
  const int n = static_cast<int>(rng.Range(1, organization ? 3 : 2));
  for (int i = 0; i < n; ++i) {
    const Product& p = rng.Pick(kProducts);
    if (std::any_of(o.items.begin(), o.items.end(), [&](const OrderItem& it) { return it.sku == p.sku; })) continue;
    OrderItem item;
    item.sku = p.sku;
    item.name = culture == Culture::kChina ? p.name_cn : p.name_en;
    item.quantity = organization ? rng.Range(1, 20) : rng.Range(1, 3);
    item.unit_price_minor = culture == Culture::kChina ? p.price_cny : p.price_usd;
    o.amount.minor += item.quantity * item.unit_price_minor;
    o.items.push_back(std::move(item));
  }
  return o;
}

ActivityDraft MakeActivity(SplitMix64& rng, Culture culture, std::optional<UserId> owner) {
  ActivityDraft a;
  a.kind = static_cast<ActivityKind>(rng.Below(5));
  a.at = RandomTimeInDemoYears(rng);
  a.owner = owner;
  const bool cn = culture == Culture::kChina;
  switch (a.kind) {
    case ActivityKind::kCall:
      a.outcome = rng.Pick(std::vector<std::string>{"connected", "no answer", "voicemail", "call back"});
      a.text = cn ? "电话沟通续费事宜" : "Call about the renewal";
      break;
    case ActivityKind::kVisit:
      a.outcome = rng.Pick(std::vector<std::string>{"demo done", "contract signed", "follow-up"});
      a.text = cn ? "上门拜访，演示专业版功能" : "On-site visit and product demo";
      break;
    case ActivityKind::kEmail:
      a.outcome = rng.Pick(std::vector<std::string>{"sent", "replied", "bounced"});
      a.text = cn ? "发送报价单" : "Sent the quotation";
      break;
    case ActivityKind::kNote:
      a.text = cn ? "客户对价格敏感，关注售后服务" : "Price-sensitive; asks about support terms";
      break;
    case ActivityKind::kMessage:
      a.outcome = "sent";
      a.text = cn ? "微信发送产品资料" : "Sent the brochure by chat";
      break;
  }
  return a;
}

}  // namespace

absl::Time DemoClockStart() { return absl::FromCivil(absl::CivilSecond(2025, 1, 1, 0, 0, 0), absl::UTCTimeZone()); }

DemoDataset GenerateDemoData(const DemoConfig& config) {
  SplitMix64 rng(config.seed);
  DemoDataset data;
  {
    CustomFieldDef vip;
    vip.name = "vip_level";
    vip.type = FieldType::kInteger;
    vip.label = "VIP level";
    vip.min = 0;
    vip.max = 5;
    vip.indexed = true;
    CustomFieldDef segment;
    segment.name = "segment";
    segment.type = FieldType::kEnum;
    segment.label = "Segment";
    segment.options = kSegments;
    data.custom_fields = {vip, segment};
  }
  std::vector<size_t> people_by_culture[3];
  std::vector<std::pair<size_t, Culture>> organizations;
  int64_t next_ref = 1;
  data.customers.reserve(static_cast<size_t>(std::max<int64_t>(config.customers, 0)));
  for (int64_t i = 0; i < config.customers; ++i) {
    const double c = rng.Unit();
    const Culture culture = c < 0.6 ? Culture::kChina : c < 0.8 ? Culture::kNorthAmerica : Culture::kEurope;
    const bool cn = culture == Culture::kChina;
    const bool organization = rng.Chance(0.3);
    DemoCustomer dc;
    CustomerDraft& d = dc.draft;
    std::string slug;
    std::string region;  // organisations: where their city is
    if (organization) {
      std::string industry;
      if (cn) {
        const City& city_info = rng.Pick(kCnCities);
        const Word& city = city_info.word;
        region = city_info.region;
        const Word& brand = rng.Pick(kCnBrands);
        const auto& [trade, trade_industry] = rng.Pick(kCnTrades);
        d.Set("name", city.text + brand.text + trade.text + rng.Pick(kCnLegalForms));
        slug = brand.ascii + "-" + trade.ascii + "-" + city.ascii;
        industry = trade_industry;
      } else {
        const Word& base = rng.Pick(kOrgBases);
        const auto& [sector, sector_industry] = rng.Pick(kOrgSectors);
        const std::string& form = rng.Pick(culture == Culture::kEurope ? kEuLegalForms : kUsLegalForms);
        d.Set("name", base.text + (sector.empty() ? "" : " " + sector) + " " + form);
        slug = base.ascii;
        industry = sector_industry;
      }
      d.Set("kind", "organization").Set("industry", industry);
      const size_t size = rng.Below(kSizes.size());
      d.Set("size", kSizes[size]);
      d.Set("segment", size >= 3 ? "enterprise" : size == 2 ? "mid_market" : "smb");
      d.contact_points.push_back({ContactKind::kEmail,
                                  rng.Pick(std::vector<std::string>{"info", "sales", "contact"}) + "@" + slug +
                                      std::to_string(i + 1) + (cn ? ".example.cn" : ".example.com"),
                                  "work", true});
      d.contact_points.push_back({ContactKind::kPhone, Phone(rng, culture), "office", true});
      if (rng.Chance(0.3)) d.tags.push_back("wholesale");
    } else {
      if (cn) {
        const Word& sur = rng.Pick(kCnSurnames);
        const Word& given = rng.Pick(kCnGivenNames);
        d.Set("name", sur.text + given.text);
        slug = sur.ascii + "." + given.ascii;
      } else if (rng.Chance(0.1)) {
        const Word& w = rng.Pick(kPinyinNames);
        d.Set("name", w.text);
        slug = w.ascii;
      } else {
        const Word& first = rng.Pick(kFirstNames);
        const Word& last = rng.Pick(kLastNames);
        d.Set("name", first.text + " " + last.text);
        slug = first.ascii + "." + last.ascii;
      }
      d.Set("segment", "consumer");
      if (rng.Chance(0.5)) {
        const absl::CivilDay born = absl::CivilDay(1960, 1, 1) + rng.Range(0, 40 * 365);
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(born.year()), born.month(), born.day());
        d.Set("birthday", std::string(buf));
      }
      const std::string domain =
          cn ? rng.Pick(std::vector<std::string>{"example.cn", "mail.example.cn"})
             : rng.Pick(std::vector<std::string>{"example.com", "example.org", "mail.example.net"});
      d.contact_points.push_back({ContactKind::kEmail, slug + std::to_string(i + 1) + "@" + domain, "personal", true});
      if (rng.Chance(0.85)) d.contact_points.push_back({ContactKind::kPhone, Phone(rng, culture), "mobile", true});
      if (rng.Chance(0.15)) {
        ContactPointDraft second{ContactKind::kEmail, slug + ".work" + std::to_string(i + 1) + "@example.com", "work"};
        second.opted_out = rng.Chance(0.3);
        d.contact_points.push_back(std::move(second));
      }
    }
    if (region.empty()) {
      region = cn ? rng.Pick(kCnRegions) : culture == Culture::kNorthAmerica ? "North America" : "Europe";
    }
    d.Set("region", region);
    d.Set("source", rng.Pick(kSources));
    const int64_t owner = kOwners[rng.Below(std::size(kOwners))];
    d.Set("owner", owner);
    int64_t vip_level = static_cast<int64_t>(rng.Below(4));
    if (rng.Chance(0.25)) vip_level = std::min<int64_t>(5, vip_level + rng.Range(0, 2));
    d.Set("vip_level", vip_level);
    if (vip_level >= 4) d.tags.push_back("vip");
    if (rng.Chance(0.4)) d.tags.push_back("newsletter");
    if (rng.Chance(0.1)) d.tags.push_back("referral");
    if (rng.Chance(0.05)) d.tags.push_back("trade-show-2024");
    if (rng.Chance(0.8)) {
      char key[32];
      std::snprintf(key, sizeof key, "C%06lld", static_cast<long long>(i + 1));
      d.external_ids.push_back({"erp", key});
    }
    // Orders for customers, none for leads and prospects.
    const double stage = rng.Unit();
    const std::string lifecycle = stage < 0.15 ? "lead" : stage < 0.3 ? "prospect" : stage < 0.9 ? "customer" : "churned";
    d.Set("lifecycle_stage", lifecycle);
    if (lifecycle == "customer" || lifecycle == "churned") {
      const int64_t n = organization ? rng.Range(1, 10) : rng.Range(1, 5);
      for (int64_t k = 0; k < n; ++k) dc.orders.push_back(MakeOrder(rng, culture, organization, &next_ref));
      if (lifecycle == "churned" || rng.Chance(0.05)) d.tags.push_back("churn-risk");
    }
    const int64_t activities = rng.Range(0, 6);
    for (int64_t k = 0; k < activities; ++k) dc.activities.push_back(MakeActivity(rng, culture, UserId{owner}));
    std::sort(d.tags.begin(), d.tags.end());
    d.tags.erase(std::unique(d.tags.begin(), d.tags.end()), d.tags.end());
    if (organization) {
      organizations.emplace_back(data.customers.size(), culture);
    } else {
      people_by_culture[static_cast<int>(culture)].push_back(data.customers.size());
    }
    data.customers.push_back(std::move(dc));
  }
  // Organisation contacts: one to three people of the same culture, with roles.
  for (const auto& [org, culture] : organizations) {
    const std::vector<size_t>& people = people_by_culture[static_cast<int>(culture)];
    if (people.empty()) continue;
    const int64_t n = rng.Range(1, 3);
    std::vector<size_t> chosen;
    for (int64_t k = 0; k < n; ++k) {
      const size_t person = rng.Pick(people);
      if (std::find(chosen.begin(), chosen.end(), person) != chosen.end()) continue;
      chosen.push_back(person);
      data.links.push_back({org, person, rng.Pick(culture == Culture::kChina ? kCnRoles : kRoles)});
    }
  }
  return data;
}

absl::StatusOr<DemoStats> LoadDemoData(Database& db, const DemoDataset& data, ManualClock* clock, int batch,
                                       const std::function<void(int64_t)>& progress) {
  DemoStats stats;
  for (const CustomFieldDef& def : data.custom_fields) {
    auto defined = db.DefineCustomField(def);
    if (!defined.ok()) return defined.status();
    ++stats.custom_fields;
  }
  SplitMix64 tick(0x5EED);  // clock steps, independent of the dataset's seed
  if (batch < 1) batch = 1;
  for (size_t start = 0; start < data.customers.size(); start += static_cast<size_t>(batch)) {
    auto txn = db.Begin();
    if (!txn.ok()) return txn.status();
    const size_t end = std::min(data.customers.size(), start + static_cast<size_t>(batch));
    for (size_t i = start; i < end; ++i) {
      const DemoCustomer& dc = data.customers[i];
      if (clock) clock->Advance(absl::Seconds(tick.Range(1, 120)));
      auto customer = db.CreateCustomer(dc.draft);
      if (!customer.ok()) return customer.status();
      stats.ids.push_back(customer->id);
      ++stats.customers;
      ++(customer->kind == CustomerKind::kOrganization ? stats.organizations : stats.people);
      stats.contact_points += static_cast<int64_t>(customer->contact_points.size());
      stats.tags += static_cast<int64_t>(customer->tags.size());
      stats.external_ids += static_cast<int64_t>(customer->external_ids.size());
      for (OrderDraft o : dc.orders) {
        o.customer = customer->id;
        auto order = db.AddOrder(o);
        if (!order.ok()) return order.status();
        ++stats.orders;
      }
      for (ActivityDraft a : dc.activities) {
        a.customer = customer->id;
        auto activity = db.AddActivity(a);
        if (!activity.ok()) return activity.status();
        ++stats.activities;
      }
    }
    if (auto s = txn->Commit(); !s.ok()) return s;
    if (progress) progress(stats.customers);
  }
  auto txn = db.Begin();
  if (!txn.ok()) return txn.status();
  for (const DemoLink& link : data.links) {
    if (clock) clock->Advance(absl::Seconds(1));
    if (auto s = db.LinkContact(stats.ids[link.organization], stats.ids[link.person], link.role); !s.ok()) return s;
    ++stats.links;
  }
  if (auto s = txn->Commit(); !s.ok()) return s;
  return stats;
}

}  // namespace rapport::demo
