"""The form, department and choice codes of the chain's first links (IT-02, IT-07), named once."""

BIZ = "IT-BIZ"  # 业务受理单: the clerk's self-check starts the chain
NUM = "IT-NUM"  # 放号记录: 交换传输室 allocates the number
SWITCHING = "SWT"  # 交换传输室 (qms/seed.py DEPARTMENTS; alias 交换室)
CANCEL = "cancel"  # IT-BIZ business_type 拆机: the line ends, its number is free again
# IT-BIZ business types that open service on the customer's own equipment or works: the slip names the item.
ON_PROPERTY = ("pbx", "works")
