import { sharedMessages } from '@shared/labels.zh-CN';

export const messages = {
  'zh-CN': {
    ...sharedMessages,
    app: { title: '安心 · {district}居家养老服务监测', subtitle: '区级民政值班 / 大屏', loginHint: '演示账号：jianghan.officer 等，密码见 README', logout: '退出' },
    tile: {
      residents: '覆盖老人',
      devicesOnline: '设备在线率',
      activeAlerts: '当前告警',
      todayAlerts: '今日告警',
      todayDispatches: '今日派单',
      effectiveResponse: '有效应答率',
      acceptP50: '接单时长中位数',
      onSiteP50: '到场时长中位数',
      unit: { people: '人', count: '起', orders: '单' },
    },
    panel: {
      severity: '当前告警（按级别）',
      services: '三助一护 服务次数',
      trend: '近 24 小时告警趋势',
      map: '街道分布：告警与服务商',
      coverage: '15 分钟服务圈覆盖率（按街道）',
      kpi: '街道考核指标',
      feed: '实时动态',
      exportCsv: '导出 CSV',
      noAlerts: '当前无告警',
    },
    map: { street: '街道', provider: '服务商', alert: '告警', outline: '辖区' },
    kpi: { street: '街道', alerts: '告警', rate: '有效应答率', accept: '接单 P50', onSite: '到场 P50', falseAlarm: '误报率', open: '在办', gaps: '覆盖缺口', residents: '老人' },
    feed: { order: '{street} {kind} {priority} {state}', alert: '{street} {kind} {severity} {state}', empty: '暂无动态' },
    alertState: { active: '告警中', cleared: '已解除' },
  },
} as const;
