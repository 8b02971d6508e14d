/**
 * Demo geography: the seven central districts of Wuhan (武汉市中心城区) with
 * real street (街道) names. District adcodes are the official GB/T 2260 codes.
 * Street centroids are approximate (within about a kilometre, good enough for
 * a map demo). Street codes follow the 9-digit township pattern
 * (adcode + 3 digits) but are numbered in list order here: they are NOT the
 * official statistical division codes.
 */
export interface DemoStreet {
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
}

export interface DemoDistrict {
  readonly adcode: string;
  readonly name: string;
  readonly streets: readonly DemoStreet[];
}

export const WUHAN_CENTRAL_DISTRICTS: readonly DemoDistrict[] = [
  {
    adcode: '420102',
    name: '江岸区',
    streets: [
      { name: '大智街道', lat: 30.5852, lon: 114.2874 },
      { name: '一元街道', lat: 30.5878, lon: 114.2961 },
      { name: '车站街道', lat: 30.5935, lon: 114.2990 },
      { name: '四唯街道', lat: 30.6013, lon: 114.3058 },
      { name: '永清街道', lat: 30.6062, lon: 114.3142 },
      { name: '西马街道', lat: 30.6080, lon: 114.2975 },
      { name: '球场街道', lat: 30.6148, lon: 114.2860 },
      { name: '二七街道', lat: 30.6255, lon: 114.3232 },
      { name: '丹水池街道', lat: 30.6555, lon: 114.3310 },
      { name: '后湖街道', lat: 30.6445, lon: 114.2845 },
      { name: '谌家矶街道', lat: 30.6700, lon: 114.3550 },
    ],
  },
  {
    adcode: '420103',
    name: '江汉区',
    streets: [
      { name: '民族街道', lat: 30.5772, lon: 114.2880 },
      { name: '花楼街道', lat: 30.5790, lon: 114.2830 },
      { name: '水塔街道', lat: 30.5815, lon: 114.2805 },
      { name: '民权街道', lat: 30.5745, lon: 114.2780 },
      { name: '满春街道', lat: 30.5712, lon: 114.2732 },
      { name: '民意街道', lat: 30.5850, lon: 114.2680 },
      { name: '新华街道', lat: 30.5930, lon: 114.2620 },
      { name: '万松街道', lat: 30.5985, lon: 114.2580 },
      { name: '唐家墩街道', lat: 30.6140, lon: 114.2540 },
      { name: '北湖街道', lat: 30.5960, lon: 114.2750 },
      { name: '常青街道', lat: 30.6240, lon: 114.2460 },
      { name: '汉兴街道', lat: 30.6250, lon: 114.2320 },
    ],
  },
  {
    adcode: '420104',
    name: '硚口区',
    streets: [
      { name: '古田街道', lat: 30.5980, lon: 114.1950 },
      { name: '韩家墩街道', lat: 30.5890, lon: 114.2250 },
      { name: '宗关街道', lat: 30.5780, lon: 114.2320 },
      { name: '汉水桥街道', lat: 30.5750, lon: 114.2450 },
      { name: '宝丰街道', lat: 30.5820, lon: 114.2550 },
      { name: '荣华街道', lat: 30.5800, lon: 114.2620 },
      { name: '汉中街道', lat: 30.5720, lon: 114.2620 },
      { name: '汉正街道', lat: 30.5660, lon: 114.2680 },
      { name: '六角亭街道', lat: 30.5740, lon: 114.2520 },
      { name: '长丰街道', lat: 30.6100, lon: 114.2150 },
    ],
  },
  {
    adcode: '420105',
    name: '汉阳区',
    streets: [
      { name: '建桥街道', lat: 30.5550, lon: 114.2720 },
      { name: '晴川街道', lat: 30.5600, lon: 114.2680 },
      { name: '鹦鹉街道', lat: 30.5480, lon: 114.2630 },
      { name: '洲头街道', lat: 30.5400, lon: 114.2620 },
      { name: '五里墩街道', lat: 30.5650, lon: 114.2400 },
      { name: '琴断口街道', lat: 30.5600, lon: 114.2150 },
      { name: '江汉二桥街道', lat: 30.5700, lon: 114.2550 },
      { name: '永丰街道', lat: 30.5480, lon: 114.1950 },
      { name: '江堤街道', lat: 30.5200, lon: 114.2500 },
      { name: '四新街道', lat: 30.5200, lon: 114.2200 },
    ],
  },
  {
    adcode: '420106',
    name: '武昌区',
    streets: [
      { name: '积玉桥街道', lat: 30.5630, lon: 114.3010 },
      { name: '杨园街道', lat: 30.5750, lon: 114.3300 },
      { name: '徐家棚街道', lat: 30.5850, lon: 114.3350 },
      { name: '粮道街道', lat: 30.5500, lon: 114.3100 },
      { name: '中华路街道', lat: 30.5530, lon: 114.2980 },
      { name: '黄鹤楼街道', lat: 30.5450, lon: 114.3000 },
      { name: '紫阳街道', lat: 30.5350, lon: 114.3050 },
      { name: '白沙洲街道', lat: 30.5050, lon: 114.2950 },
      { name: '首义路街道', lat: 30.5400, lon: 114.3150 },
      { name: '中南路街道', lat: 30.5350, lon: 114.3350 },
      { name: '水果湖街道', lat: 30.5500, lon: 114.3500 },
      { name: '珞珈山街道', lat: 30.5350, lon: 114.3600 },
      { name: '石洞街道', lat: 30.5150, lon: 114.3200 },
      { name: '南湖街道', lat: 30.5000, lon: 114.3300 },
    ],
  },
  {
    adcode: '420107',
    name: '青山区',
    streets: [
      { name: '红卫路街道', lat: 30.6220, lon: 114.3650 },
      { name: '冶金街道', lat: 30.6280, lon: 114.3740 },
      { name: '新沟桥街道', lat: 30.6320, lon: 114.3600 },
      { name: '红钢城街道', lat: 30.6400, lon: 114.3850 },
      { name: '工人村街道', lat: 30.6480, lon: 114.3950 },
      { name: '青山镇街道', lat: 30.6550, lon: 114.3950 },
      { name: '厂前街道', lat: 30.6250, lon: 114.4050 },
      { name: '钢花村街道', lat: 30.6150, lon: 114.4150 },
      { name: '白玉山街道', lat: 30.6300, lon: 114.4400 },
      { name: '武东街道', lat: 30.6150, lon: 114.4500 },
    ],
  },
  {
    adcode: '420111',
    name: '洪山区',
    streets: [
      { name: '珞南街道', lat: 30.5200, lon: 114.3600 },
      { name: '关山街道', lat: 30.5050, lon: 114.4050 },
      { name: '狮子山街道', lat: 30.4800, lon: 114.3550 },
      { name: '张家湾街道', lat: 30.4900, lon: 114.3050 },
      { name: '梨园街道', lat: 30.5600, lon: 114.3750 },
      { name: '卓刀泉街道', lat: 30.5100, lon: 114.3800 },
      { name: '洪山街道', lat: 30.5150, lon: 114.3350 },
      { name: '和平街道', lat: 30.5900, lon: 114.3600 },
      { name: '青菱街道', lat: 30.4550, lon: 114.3000 },
    ],
  },
];

/** Roots for community (社区) names; the seed combines them with a suffix. */
export const COMMUNITY_NAME_ROOTS = [
  '长春', '育才', '建设', '幸福', '和平', '友谊', '新华', '青年', '前进', '滨江',
  '园林', '锦绣', '桃源', '东亭', '怡和', '春晖', '兴业', '惠民', '丽水', '紫荆',
  '翠柳', '梅苑', '桂园', '松柏', '中山', '胜利', '解放', '民主', '复兴', '大江',
  '南湖', '晴川', '汉江', '楚天', '荆南', '江城', '曙光', '朝阳', '红旗', '团结',
] as const;
export const COMMUNITY_NAME_SUFFIXES = ['社区', '花园社区', '里社区', '新村社区', '路社区'] as const;

/** Surnames roughly by frequency in Hubei; repeated entries weigh the draw. */
export const SURNAMES = [
  '王', '王', '李', '李', '张', '张', '刘', '刘', '陈', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '胡', '朱', '高',
  '郭', '何', '罗', '郑', '梁', '谢', '宋', '唐', '许', '邓', '冯', '韩', '曹', '彭', '曾', '肖', '田', '董', '潘', '袁',
  '蔡', '蒋', '余', '杜', '叶', '程', '魏', '熊', '万', '汪', '夏', '涂', '喻', '雷', '龚', '欧阳', '司马',
] as const;

/** Given names common for people born 1925–1960. */
export const GIVEN_NAMES = {
  female: ['秀英', '桂英', '淑珍', '玉兰', '凤英', '秀兰', '桂兰', '玉珍', '丽华', '淑兰', '春兰', '翠华', '素珍', '桂芳', '秀珍', '美华', '金凤', '月娥', '英', '芳', '萍', '珍'],
  male: ['建国', '国华', '志强', '德明', '振华', '文忠', '保国', '汉生', '长林', '金福', '玉林', '树林', '德胜', '广才', '家福', '永年', '大勇', '汉清', '刚', '军', '华', '斌'],
} as const;

/** Given names for the (younger) emergency contacts. */
export const CONTACT_GIVEN_NAMES = ['伟', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '秀云', '海燕', '志刚', '红梅', '建华', '晓东', '丽娟'] as const;
