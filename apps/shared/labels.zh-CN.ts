/**
 * zh-CN vocabulary shared by both apps (vue-i18n messages). One word per
 * concept (STYLE.md §11): 告警 alert, 工单 work order, 派单 dispatch.
 */
import { SERVICE_TYPE_LABELS } from '../../src/domain/dispatch/provider.schema.js';
import { WORK_ORDER_STATE_LABELS } from '../../src/domain/dispatch/work-order.schema.js';

export const sharedMessages = {
  alertKind: {
    fall: '跌倒',
    sos: '紧急呼叫',
    vitals_out_of_range: '生命体征异常',
    apnea: '呼吸暂停',
    bed_exit_no_return: '离床未归',
    prolonged_inactivity: '长时间无活动',
    bathroom_dwell: '卫生间滞留',
    night_wandering: '夜间游走',
    geofence_exit: '离开安全区域',
    smoke: '烟雾',
    gas: '燃气泄漏',
    water_leak: '漏水',
    device_offline: '设备离线',
    low_battery: '电量低',
    missed_meal: '未按时用餐',
  },
  severity: { critical: '危急', major: '严重', minor: '一般', warning: '提示' },
  priority: { P1: 'P1 紧急', P2: 'P2 关注', P3: 'P3 服务' },
  service: SERVICE_TYPE_LABELS,
  state: WORK_ORDER_STATE_LABELS,
  outcome: { real_emergency: '真实紧急', false_alarm: '误报', test: '测试', resident_not_home: '不在家' },
  connection: { online: '在线', reconnecting: '重连中', offline: '离线' },
  travelMode: { walk: '步行', ebike: '电动车', car: '驾车' },
} as const;
