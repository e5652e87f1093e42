// A realistic, deterministic convenience-store catalog: Chinese names, valid EAN-13 codes in the
// 690–699 (China) range, prices, categories and a few weighed items. Used by `till demo`, the
// benchmarks (up to millions of products) and tests.
import { withCheckDigit } from '../core/barcode.js';

export interface DemoProduct {
  /** null for weighed goods, which are scanned from scale labels by PLU. */
  barcode: string | null;
  name: string;
  priceFen: number;
  unit: string;
  category: string;
  weighed: boolean;
  plu: string | null;
}

interface Family {
  category: string;
  unit: string;
  brands: string[];
  items: string[];
  sizes: string[];
  /** Price range in fen. */
  price: [number, number];
}

const FAMILIES: Family[] = [
  { category: '饮料', unit: '瓶', brands: ['可口可乐', '百事', '农夫山泉', '康师傅', '统一', '元气森林', '娃哈哈', '怡宝', '王老吉', '加多宝', '雪碧', '芬达'], items: ['', '无糖', '柠檬味', '原味', '冰红茶', '绿茶', '苏打水', '矿泉水'], sizes: ['330ml', '500ml', '550ml', '600ml', '1.25L', '2L'], price: [200, 1200] },
  { category: '零食', unit: '袋', brands: ['乐事', '旺旺', '三只松鼠', '良品铺子', '卫龙', '好丽友', '奥利奥', '上好佳', '徐福记', '达利园'], items: ['薯片', '雪饼', '坚果', '辣条', '派', '饼干', '虾条', '面包', '蛋黄酥'], sizes: ['40g', '70g', '105g', '150g', '200g', '308g'], price: [350, 2990] },
  { category: '方便食品', unit: '桶', brands: ['康师傅', '统一', '今麦郎', '白象', '日清', '汤达人'], items: ['红烧牛肉面', '老坛酸菜面', '鲜虾鱼板面', '香辣牛肉面', '番茄鸡蛋面'], sizes: ['单桶', '五连包', '大食桶'], price: [350, 2500] },
  { category: '乳制品', unit: '盒', brands: ['伊利', '蒙牛', '光明', '君乐宝', '三元', '安慕希', '纯甄'], items: ['纯牛奶', '酸奶', '高钙奶', '早餐奶', '低脂奶'], sizes: ['200ml', '250ml', '1L', '12盒装'], price: [300, 6990] },
  { category: '日用品', unit: '个', brands: ['清风', '维达', '心相印', '舒肤佳', '蓝月亮', '高露洁', '佳洁士', '云南白药'], items: ['抽纸', '卷纸', '香皂', '洗衣液', '牙膏', '牙刷', '湿巾'], sizes: ['单包', '三包装', '500g', '1kg', '家庭装'], price: [290, 4990] },
  { category: '酒类', unit: '瓶', brands: ['青岛', '雪花', '百威', '哈尔滨', '燕京', '红星', '牛栏山'], items: ['啤酒', '纯生', '二锅头', '清爽'], sizes: ['330ml', '500ml', '600ml', '6罐装'], price: [350, 9900] },
  { category: '调味品', unit: '瓶', brands: ['海天', '李锦记', '老干妈', '太太乐', '恒顺', '厨邦'], items: ['生抽', '老抽', '蚝油', '辣椒酱', '鸡精', '香醋'], sizes: ['200g', '500ml', '1.28L', '1.9L'], price: [450, 3500] },
];

const WEIGHED: Array<Omit<DemoProduct, 'barcode' | 'weighed' | 'unit'>> = [
  { name: '散装苹果', priceFen: 1280, category: '生鲜', plu: '10001' },
  { name: '香蕉', priceFen: 698, category: '生鲜', plu: '10002' },
  { name: '砂糖橘', priceFen: 998, category: '生鲜', plu: '10003' },
  { name: '西红柿', priceFen: 598, category: '生鲜', plu: '10004' },
  { name: '散装花生', priceFen: 2400, category: '散装食品', plu: '10005' },
  { name: '称重糖果', priceFen: 4980, category: '散装食品', plu: '10006' },
  { name: '鸡蛋', priceFen: 1160, category: '生鲜', plu: '10007' },
  { name: '土豆', priceFen: 398, category: '生鲜', plu: '10008' },
];

/** Small deterministic PRNG (mulberry32) so that every demo store and benchmark is the same. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The i-th demo barcode: 69x + 9 digits + check digit, unique for i < 10^9 per prefix digit. */
export function demoBarcode(i: number): string {
  const prefix = 690 + (i % 10);
  const body = String(Math.floor(i / 10) + 1).padStart(9, '0');
  return withCheckDigit(`${prefix}${body}`);
}

/** Yields `count` packaged products (plus the weighed ones first when `weighed` is set). */
export function* demoCatalog(count: number, opts: { seed?: number; weighed?: boolean } = {}): Generator<DemoProduct> {
  const rand = rng(opts.seed ?? 42);
  if (opts.weighed !== false) {
    for (const w of WEIGHED) {
      // Weighed goods carry no GTIN: the scale prints an in-store code with their PLU.
      yield { ...w, barcode: null, unit: 'kg', weighed: true };
    }
  }
  for (let i = 0; i < count; i++) {
    const f = FAMILIES[i % FAMILIES.length];
    const k = Math.floor(i / FAMILIES.length);
    const brand = f.brands[k % f.brands.length];
    const item = f.items[Math.floor(k / f.brands.length) % f.items.length];
    const size = f.sizes[Math.floor(k / (f.brands.length * f.items.length)) % f.sizes.length];
    const serial = Math.floor(k / (f.brands.length * f.items.length * f.sizes.length));
    const name = `${brand}${item}${size}${serial ? ` ${serial + 1}号` : ''}`;
    const [lo, hi] = f.price;
    // Shelf prices end in .00, .50, .80 or .90 yuan.
    const base = lo + Math.floor(rand() * (hi - lo));
    const priceFen = Math.floor(base / 100) * 100 + [0, 50, 80, 90][Math.floor(rand() * 4)];
    yield { barcode: demoBarcode(i), name, priceFen, unit: f.unit, category: f.category, weighed: false, plu: null };
  }
}
