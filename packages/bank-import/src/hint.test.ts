import { describe, expect, it } from 'vitest';
import { categoryFromProvider } from './hint.ts';

describe('categoryFromProvider', () => {
  it("maps Plaid's detailed category before its primary", () => {
    expect(categoryFromProvider('FOOD_AND_DRINK_GROCERIES')).toBe('groceries');
    expect(categoryFromProvider('FOOD_AND_DRINK_RESTAURANT')).toBe('dining');
    expect(categoryFromProvider('RENT_AND_UTILITIES_RENT')).toBe('housing');
    expect(categoryFromProvider('RENT_AND_UTILITIES_GAS_AND_ELECTRICITY')).toBe('utilities');
    expect(categoryFromProvider('TRANSPORTATION')).toBe('transport');
  });

  it("maps banks' category words and Wallai's own keys and labels", () => {
    expect(categoryFromProvider('Food and Drink, Restaurants')).toBe('dining');
    expect(categoryFromProvider('Lebensmittel')).toBe('groceries');
    expect(categoryFromProvider('groceries')).toBe('groceries');
    expect(categoryFromProvider('Bills & utilities')).toBe('utilities');
  });

  it('names nothing for what it does not know, income or other', () => {
    expect(categoryFromProvider('OTHER')).toBeNull();
    expect(categoryFromProvider('income')).toBeNull();
    expect(categoryFromProvider('zz misc')).toBeNull();
    expect(categoryFromProvider(null)).toBeNull();
  });
});
