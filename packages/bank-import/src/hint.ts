/**
 * The provider's category as a hint for the categorizer: Plaid's
 * personal_finance_category (primary or detailed), Plaid's legacy category
 * hierarchy ("Food and Drink > Restaurants"), or a bank's own category column
 * ("Groceries", "Lebensmittel"), mapped to a Wallai category key.
 */
import { DEFAULT_CATEGORIES } from '@wallai/domain';

/** How confident a mapped provider category is: above the threshold, below a person's history. */
export const HINT_CONFIDENCE = 0.9;

/** Detailed Plaid values first (they refine their primary), then primaries. */
const PLAID: ReadonlyArray<readonly [prefix: string, key: string]> = [
  ['FOOD_AND_DRINK_GROCERIES', 'groceries'],
  ['FOOD_AND_DRINK', 'dining'],
  ['GENERAL_MERCHANDISE', 'shopping'],
  ['TRANSPORTATION', 'transport'],
  ['TRAVEL', 'travel'],
  ['RENT_AND_UTILITIES_RENT', 'housing'],
  ['RENT_AND_UTILITIES', 'utilities'],
  ['ENTERTAINMENT', 'entertainment'],
  ['MEDICAL', 'health'],
  ['PERSONAL_CARE', 'personal_care'],
  ['GENERAL_SERVICES_INSURANCE', 'insurance'],
  ['HOME_IMPROVEMENT', 'housing'],
  ['GOVERNMENT_AND_NON_PROFIT', 'fees_taxes'],
  ['BANK_FEES', 'fees_taxes'],
  ['LOAN_PAYMENTS', 'debt_payoff'],
];

/** Words of legacy Plaid categories and banks' category columns (English, German, Spanish, French). */
const WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(?:groceries|grocery|supermarkets?|lebensmittel|supermercado|alimentation|courses)\b/i, 'groceries'],
  [/\b(?:restaurants?|dining|food and drink|coffee|fast food|bars?|gastronomie|restauraci[oó]n)\b/i, 'dining'],
  [/\b(?:rent|mortgage|miete|alquiler|loyer|housing)\b/i, 'housing'],
  [/\b(?:utilities|electricity|internet|telecommunication|phone|strom|nebenkosten|suministros)\b/i, 'utilities'],
  [/\b(?:travel|airlines?|lodging|hotels?|reisen|viajes?|voyages?)\b/i, 'travel'],
  [/\b(?:transport(?:ation)?|taxi|gas stations?|fuel|public transit|parking|tankstelle|mobilit[aä]t)\b/i, 'transport'],
  [/\b(?:healthcare|health|pharmac(?:y|ies)|medical|doctor|apotheke|gesundheit|salud)\b/i, 'health'],
  [/\b(?:insurance|versicherung|seguros?|assurance)\b/i, 'insurance'],
  [/\b(?:subscriptions?|streaming|abonnements?|suscripci[oó]n)\b/i, 'subscriptions'],
  [/\b(?:entertainment|recreation|music|movies|freizeit|ocio)\b/i, 'entertainment'],
  [/\b(?:shopping|shops|clothing|merchandise|electronics|einkauf|compras)\b/i, 'shopping'],
  [/\b(?:personal care|hair|beauty|k[oö]rperpflege)\b/i, 'personal_care'],
  [/\b(?:taxes|tax|bank fees|steuern|impuestos)\b/i, 'fees_taxes'],
];

const KEYS: ReadonlySet<string> = new Set(DEFAULT_CATEGORIES.map((category) => category.key));
const LABELS: ReadonlyMap<string, string> = new Map(DEFAULT_CATEGORIES.map((category) => [category.label.toLowerCase(), category.key]));

/** The Wallai category key a provider category names, or null when it names none. */
export function categoryFromProvider(providerCategory: string | null | undefined): string | null {
  const value = providerCategory?.trim() ?? '';
  if (value === '') return null;
  if (/^[A-Z_]+$/.test(value)) {
    for (const [prefix, key] of PLAID) if (value.startsWith(prefix)) return key;
    return null;
  }
  const lower = value.toLowerCase();
  if (KEYS.has(lower) && lower !== 'other' && lower !== 'income') return lower;
  const label = LABELS.get(lower);
  if (label !== undefined && label !== 'other' && label !== 'income') return label;
  for (const [pattern, key] of WORDS) if (pattern.test(value)) return key;
  return null;
}
