#!/usr/bin/env bash
# Builds the example desk in examples/desk with plaint's own commands.
#
#   examples/build-desk.sh [OUT_DIR]       (default: examples/desk)
#
# PLAINT names the binary to use (default: cargo run). Every step gives --at and --by, so the
# desk comes out byte for byte the same each time; tests/examples.rs rebuilds it and fails if
# the committed desk has drifted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/desk}
if [ -z "${PLAINT:-}" ]; then
  cargo build --quiet --manifest-path "$here/../Cargo.toml"
  PLAINT="$here/../target/debug/plaint"
fi
rm -rf "$out"
# The example desk lives inside plaint's own repository: its steps are not committed there.
export PLAINT_NO_COMMIT=1
"$PLAINT" init "$out" 2>/dev/null
# Each step is entered as it happens: the clock reads the step's --at ($PLAINT_NOW), so the
# files carry no entered_at unless a step below is back-dated on purpose.
p() {
  local now="" prev=""
  for a in "$@"; do
    [ "$prev" = "--at" ] && now=$a
    prev=$a
  done
  PLAINT_NOW="$now" "$PLAINT" --desk "$out" "$@"
}

# log AT BY PROJECT NAME PHONE SUBJECT [more options...] → prints the new ID
log() {
  local at=$1 by=$2 project=$3 name=$4 phone=$5 subject=$6
  shift 6
  p log --at "$at" --by "$by" --project "$project" --name "$name" --phone "$phone" --subject "$subject" "$@"
}
# q runs a step quietly, but a refused step stops the build with plaint's message.
q() {
  local err
  if ! err=$(p "$@" 2>&1 >/dev/null); then
    echo "$err" >&2
    return 1
  fi
}

# ---- 2026-08: long closed, called back ------------------------------------------------
a=$(log "2026-08-03 09:20" 王芳 实力北岸 刘建国 13988120001 "卫生间顶棚渗水" \
  --unit 3栋1单元502 --type 维保修 --target "3栋楼上防水" \
  --description "楼上卫生间防水层破损,顶棚渗水已一周,墙面发霉。" --request "尽快维修防水并修补顶棚")
q forward "$a" --at "2026-08-03 10:00" --by 王芳
q assign "$a" --handler 周工 --at "2026-08-03 10:30" --by 王芳
q respond "$a" --at "2026-08-03 10:10" --by 周工 --note "已电话联系业主,约定次日上门查看"
q plan "$a" --action repair --start 2026-08-05 --finish 2026-08-12 --cost 1800 --at "2026-08-03 13:00" --by 周工
q close "$a" --reason confirmed --property-confirmed --at "2026-08-11 16:00" --by 王芳 --note "业主与物业书面确认"
q callback "$a" --timeliness 9 --plan 9 --attitude 10 --acknowledged yes --visited yes --at "2026-08-11 17:30" --by 王芳

b=$(log "2026-08-10 14:05" 李娜 实力五星彩园 陈美玲 13577340002 "售楼时承诺的车位未兑现" \
  --channel visit --received-by 营销部 --type 营销签约 --target "车位承诺" \
  --description "购房时置业顾问承诺赠送车位使用权,交房后不予兑现。" --request "兑现承诺或给予补偿" \
  --compensation 8000)
q forward "$b" --at "2026-08-10 15:30" --by 李娜
q assign "$b" --handler 黄经理 --at "2026-08-10 16:00" --by 王芳
q respond "$b" --at "2026-08-10 15:50" --by 黄经理
q plan "$b" --action negotiate --at "2026-08-11 10:00" --by 黄经理 --note "核实合同附件,无书面承诺"
q close "$b" --reason no-agreement --at "2026-08-14 11:00" --by 王芳 --note "已出具书面答复,客户不同意"
q callback "$b" --timeliness 6 --plan 3 --attitude 7 --acknowledged yes --visited no --comment "不接受处理结果" --at "2026-08-14 16:00" --by 王芳

c=$(log "2026-08-21 19:40" 王芳 书香大地 赵晓东 13700560003 "建议增设儿童游乐设施" \
  --channel wechat --description "小区儿童多,希望增设滑梯秋千。")
q classify "$c" --invalid suggestion --at "2026-08-24 09:10" --by 王芳
q forward "$c" --at "2026-08-24 09:15" --by 王芳
q respond "$c" --at "2026-08-24 09:30" --by 王芳 --note "已转设计部作为建议记录"
q close "$c" --reason explained --at "2026-08-24 10:00" --by 王芳

# ---- 2026-09: a group complaint, a lawsuit, a staff complaint ---------------------------
d=$(log "2026-09-07 08:50" 张伟 实力上筑 孙丽华 13855780004 "延期交楼" \
  --headcount 6 --type 延期交楼 --received-by 营销部 --target "二期交付" \
  --description "合同约定8月31日交房,至今未通知收楼。" --request "明确交房日期并按合同支付违约金")
q forward "$d" --at "2026-09-07 09:30" --by 张伟
q assign "$d" --handler 吴总监 --cooperating marketing,property --at "2026-09-07 10:00" --by 王芳
q respond "$d" --at "2026-09-07 10:30" --by 吴总监
q plan "$d" --action negotiate --finish 2026-09-30 --at "2026-09-08 09:00" --by 吴总监 --note "召开业主沟通会,按合同计算违约金"
q delay "$d" --reason "违约金方案需报集团审批" --approved-by 杨副总 --role 分管副总 --at "2026-09-25 17:00" --by 吴总监
q close "$d" --reason confirmed --property-confirmed --at "2026-10-09 15:00" --by 王芳
q callback "$d" --timeliness 4 --plan 7 --attitude 8 --acknowledged yes --visited yes --comment "拖得太久" --at "2026-10-09 18:00" --by 王芳

e=$(log "2026-09-14 11:15" 王芳 实力郡城 钱志强 13612090005 "房屋面积缩水" \
  --type 规划设计 --flag litigation --target "7栋户型面积" \
  --description "实测面积比合同少3.2平方米,已向法院起诉。" --request "退还差价")
q forward "$e" --at "2026-09-14 12:00" --by 王芳
q assign "$e" --handler 郑律师 --department legal --at "2026-09-14 14:00" --by 王芳
q respond "$e" --at "2026-09-14 13:00" --by 郑律师
q plan "$e" --action other --at "2026-09-15 10:00" --by 郑律师 --note "应诉,委托第三方复测"
q close "$e" --reason litigation-concluded --at "2026-09-29 16:00" --by 王芳 --note "法院调解结案"

f=$(log "2026-09-19 20:10" 赵敏 实力锦城 吴秀英 13766210006 "保安态度恶劣" \
  --type 服务态度 --received-by 物业公司 --target "北门保安" \
  --description "晚上回家,北门保安拒绝开门并出言不逊。" --request "道歉并处理当事人")
q forward "$f" --at "2026-09-20 09:00" --by 赵敏
q assign "$f" --handler 马主管 --at "2026-09-20 09:30" --by 王芳
q respond "$f" --at "2026-09-20 09:10" --by 马主管
q plan "$f" --action other --at "2026-09-20 10:00" --by 马主管 --note "当事人书面检讨并上门道歉"
q violation "$f" --rule first-ask --person 北门保安 --department 物业公司 --at "2026-09-21 09:00" --by 王芳
q close "$f" --reason confirmed --at "2026-09-21 15:00" --by 王芳
q callback "$f" --timeliness 8 --plan 9 --attitude 9 --at "2026-09-21 17:00" --by 王芳

# ---- 2026-10: reopened, escalated, overdue ----------------------------------------------
g=$(log "2026-10-08 09:00" 王芳 实力北岸 何文 13911330007 "电梯频繁停运" \
  --type 物业服务 --target "5栋电梯" --description "5栋2号电梯本周停运三次,老人出行困难。")
q forward "$g" --at "2026-10-08 09:30" --by 王芳
q assign "$g" --handler 冯经理 --at "2026-10-08 09:40" --by 王芳
q respond "$g" --at "2026-10-08 09:45" --by 冯经理
q plan "$g" --action repair --finish 2026-10-10 --at "2026-10-08 12:00" --by 冯经理
q close "$g" --reason confirmed --at "2026-10-10 17:00" --by 王芳
q callback "$g" --timeliness 8 --plan 8 --attitude 8 --at "2026-10-10 18:00" --by 王芳
q reopen "$g" --reason "电梯再次停运,业主再次投诉" --at "2026-10-20 08:30" --by 王芳
q respond "$g" --at "2026-10-20 09:00" --by 冯经理
q close "$g" --reason confirmed --at "2026-10-24 16:00" --by 王芳

h=$(log "2026-10-12 10:30" 王芳 实力北岸 许梅 13911330008 "5栋电梯困人" \
  --type 物业服务 --flag safety --target "5栋电梯" --description "电梯困人二十分钟,物业迟迟未到。")
q forward "$h" --at "2026-10-12 10:40" --by 王芳
q assign "$h" --handler 冯经理 --at "2026-10-12 10:45" --by 王芳
q respond "$h" --at "2026-10-12 11:00" --by 冯经理

i=$(log "2026-10-13 16:20" 王芳 实力北岸 曹磊 13911330009 "电梯维保不到位" \
  --type 物业服务 --target "5栋电梯" --request "更换电梯维保单位")
q forward "$i" --at "2026-10-13 18:30" --by 王芳
q assign "$i" --handler 冯经理 --at "2026-10-14 09:00" --by 王芳
q respond "$i" --at "2026-10-14 09:10" --by 冯经理
q violation "$i" --rule mishandling --person 冯经理 --department property --at "2026-10-16 10:00" --by 王芳
q plan "$i" --action negotiate --at "2026-10-17 10:00" --by 冯经理 --note "与维保单位约谈,限期整改"

j=$(log "2026-10-26 15:00" 刘洋 书香大地 邓丽 13500780010 "商铺租金上涨" \
  --type 租赁管理 --received-by 旅游商业运营中心 --unit 商业街A-12 \
  --description "续租租金上涨30%,与招商时承诺不符。" --request "按原价续租")
q forward "$j" --at "2026-10-26 15:30" --by 刘洋
q assign "$j" --handler 林主管 --at "2026-10-26 16:00" --by 王芳
q respond "$j" --at "2026-10-26 16:10" --by 林主管
q escalate "$j" --reason "一周未出方案,客户多次来电" --at "2026-11-02 09:00" --by 王芳

# ---- 2026-11: the month in progress (two already closed, the rest at every stage) -----------------------------------------------------
k=$(log "2026-11-02 09:15" 王芳 实力五星彩园 蒋涛 13688990011 "地下车库积水" \
  --type 园区配套 --headcount 12 --flag media-risk --target "地下车库" \
  --description "暴雨后地下车库积水半米,十余户车辆受损,业主群称要找电视台。" --request "排水整改并赔偿车辆损失")
q forward "$k" --at "2026-11-02 10:00" --by 王芳
q assign "$k" --handler 谢总 --cooperating property --at "2026-11-02 10:10" --by 王芳
q respond "$k" --at "2026-11-02 11:00" --by 谢总
q plan "$k" --action repair --start 2026-11-03 --finish 2026-11-15 --cost 56000 --at "2026-11-03 16:00" --by 谢总

l=$(log "2026-11-06 23:30" 赵敏 实力锦城 彭雪 13766210012 "楼道漏水触电隐患" \
  --type 维保修 --flag safety --received-by 物业公司 --unit 2栋3单元 \
  --description "楼道配电箱附近渗水,有触电危险。")
q forward "$l" --at "2026-11-07 08:00" --by 赵敏
q respond "$l" --at "2026-11-07 02:30" --by 赵敏 --note "值班电工已到场断电"
q assign "$l" --handler 周工 --at "2026-11-09 08:30" --by 王芳

m=$(log "2026-11-10 10:00" 李娜 实力上筑 韦强 13855780013 "网签备案迟迟未办" \
  --type 销售/房产/交楼证照 --received-by 营销部 --flag government \
  --description "购房三个月仍未网签,已向住建局反映。")
q forward "$m" --at "2026-11-10 11:00" --by 李娜
q assign "$m" --handler 黄经理 --cooperating project --at "2026-11-10 11:30" --by 王芳

n=$(log "2026-11-16 14:30" 王芳 实力郡城 龙飞 13612090014 "物业费收费标准不透明" \
  --channel hotline --type 物业服务)
q forward "$n" --at "2026-11-16 14:40" --by 王芳

o=$(log "2026-11-18 09:05" 王芳 实力北岸 白雪 13911330015 "邻居装修噪音扰民" \
  --channel wechat --description "周末早上七点就开始装修。")

q1=$(log "2026-11-03 10:20" 赵敏 实力锦城 唐宁 13766210016 "地库照明不足" \
  --type 物业服务 --received-by 物业公司 --description "地下车库B区多盏灯损坏,夜间看不清。")
q forward "$q1" --at "2026-11-03 10:40" --by 赵敏
q assign "$q1" --handler 马主管 --at "2026-11-03 11:00" --by 王芳
q respond "$q1" --at "2026-11-03 11:10" --by 马主管
q plan "$q1" --action repair --finish 2026-11-05 --at "2026-11-03 14:00" --by 马主管
q close "$q1" --reason confirmed --at "2026-11-05 16:00" --by 王芳
q callback "$q1" --timeliness 9 --plan 9 --attitude 10 --acknowledged yes --visited yes --at "2026-11-05 17:00" --by 王芳

q2=$(log "2026-11-04 15:30" 刘洋 书香大地 严峻 13500780017 "商铺招牌被拆未通知" \
  --type 租赁管理 --received-by 旅游商业运营中心 --unit 商业街C-02)
q forward "$q2" --at "2026-11-04 16:00" --by 刘洋
q assign "$q2" --handler 林主管 --at "2026-11-04 16:10" --by 王芳
q respond "$q2" --at "2026-11-04 16:20" --by 林主管
q plan "$q2" --action negotiate --at "2026-11-04 18:00" --by 林主管
q close "$q2" --reason confirmed --at "2026-11-09 11:00" --by 王芳 --note "已恢复招牌并书面致歉"
q callback "$q2" --timeliness 5 --plan 8 --attitude 8 --comment "处理太慢" --at "2026-11-09 15:00" --by 王芳

echo "built $out: $(find "$out/tickets" -name '*.yaml' | wc -l) tickets" >&2
